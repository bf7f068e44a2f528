"""Voiceover Bot core: everything that is not a chat adapter."""
