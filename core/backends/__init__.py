"""Backends behind one protocol: the embedded local engine and the NemoVideo cloud API."""
