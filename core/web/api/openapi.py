"""The OpenAPI 3.1 document, made from the pydantic models that validate the requests (so the
two can't drift), and the docs page that shows it (a small script of ours, no CDN)."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from core.web.api.guard import PREFIX
from core.web.api.models import (
    FILE_FIELDS,
    CreditsOut,
    JobFields,
    JobList,
    JobOut,
    JobQuery,
    Problem,
    VoiceList,
)
from core.web.pages import SECURITY_HEADERS, render

MODELS: tuple[type[BaseModel], ...] = (JobFields, JobOut, JobList, CreditsOut, VoiceList, Problem)
REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "Bad request",
    "401": "Missing, unknown or revoked key",
    "402": "Out of credits",
    "404": "No such job for this key",
    "409": "Conflict (not cancellable, not done, or a retry still in progress)",
    "413": "Too large (refused before the body is read)",
    "422": "Invalid input",
    "429": "Rate limited, or the account's queue budget is full (see Retry-After)",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref(Problem)}},
    }


def _ok(model: type[BaseModel], description: str, status: str = "200") -> dict[str, Any]:
    return {
        status: {
            "description": description,
            "content": {"application/json": {"schema": _ref(model)}},
        }
    }


def _errors(*codes: str) -> dict[str, Any]:
    found = {code: _problem(ERRORS[code]) for code in ("401", "429", *codes)}
    return {**found, "default": _problem("Any other error")}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A form field's schema: absent stands for null, so the null branch goes."""
    options = [s for s in schema.get("anyOf", ()) if s.get("type") != "null"]
    if len(options) != 1:
        return schema
    plain = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    return {**options[0], **plain}


def job_form_schema(components: dict[str, Any]) -> dict[str, Any]:
    """The multipart body of POST /jobs: JobFields' fields, and the files."""
    fields = copy.deepcopy(components[JobFields.__name__])
    properties = {name: _without_null(s) for name, s in fields["properties"].items()}
    for name in FILE_FIELDS:
        properties[name] = {"type": "string", "format": "binary", "description": f"{name} file"}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _one_job_paths() -> dict[str, Any]:
    """One job: read it, cancel it, follow it to its result."""
    job_id = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        f"{PREFIX}/jobs/{{job_id}}": {
            "get": {
                "operationId": "getJob",
                "parameters": [job_id],
                "responses": {**_ok(JobOut, "The job"), **_errors("404")},
            },
            "delete": {
                "operationId": "cancelJob",
                "summary": "Cancel (the chats' /cancel: credits released)",
                "parameters": [job_id],
                "responses": {**_ok(JobOut, "Cancelled"), **_errors("404", "409")},
            },
        },
        f"{PREFIX}/jobs/{{job_id}}/result": {
            "get": {
                "operationId": "getJobResult",
                "summary": "Redirect to the signed result link",
                "parameters": [job_id],
                "responses": {
                    "302": {
                        "description": "To the MP4",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                    },
                    **_errors("404", "409"),
                },
            }
        },
    }


def _job_paths(components: dict[str, Any]) -> dict[str, Any]:
    query = [
        {"name": name, "in": "query", "required": False, "schema": _without_null(schema)}
        for name, schema in JobQuery.model_json_schema()["properties"].items()
    ]
    idempotency = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,200}$"},
    }
    accepted = _ok(
        JobOut,
        "Accepted: stored and queued next (or the first job of this Idempotency-Key); a file "
        "found not to be media then ends the job failed, with its error",
        "202",
    )
    accepted["202"]["headers"] = {"Location": {"schema": {"type": "string"}}}
    form = job_form_schema(components)
    return {
        f"{PREFIX}/jobs": {
            "post": {
                "operationId": "createJob",
                "summary": "Voice over a video: a file or link, and a script",
                "parameters": [idempotency],
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": form}},
                },
                "responses": {**accepted, **_errors("402", "409", "413", "422")},
            },
            "get": {
                "operationId": "listJobs",
                "summary": "The key owner's jobs, newest first",
                "parameters": query,
                "responses": {**_ok(JobList, "A page of jobs"), **_errors("422")},
            },
        },
        **_one_job_paths(),
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The whole document (built once)."""
    _, top = models_json_schema([(m, "validation") for m in MODELS], ref_template=REF)
    components = top.get("$defs", {})
    paths = _job_paths(components)
    paths[f"{PREFIX}/credits"] = {
        "get": {
            "operationId": "getCredits",
            "responses": {**_ok(CreditsOut, "The balance"), **_errors()},
        }
    }
    paths[f"{PREFIX}/voices"] = {
        "get": {
            "operationId": "listVoices",
            "responses": {**_ok(VoiceList, "Installed voices"), **_errors()},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Voiceover Bot API",
            "version": "1.0.0",
            "description": "Jobs, webhooks and credits of a chat account. Get a key with "
            "/apikey in any chat; webhooks are signed with X-Voiceover-Signature: "
            't=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the signing secret>.',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": paths,
    }


async def serve_document(_request: web.Request) -> web.Response:
    """GET /api/v1/openapi.json."""
    return web.Response(text=json.dumps(openapi_document()), content_type="application/json")


async def serve_docs(_request: web.Request) -> web.Response:
    """GET /api/v1/docs: the document rendered by static/api-docs.js (strict CSP)."""
    response = render("api_docs.html", spec_url=f"{PREFIX}/openapi.json")
    response.headers.update(SECURITY_HEADERS)
    return response


def docs_routes() -> list[web.RouteDef]:
    """The document and its page."""
    return [
        web.get(f"{PREFIX}/openapi.json", serve_document, allow_head=False),
        web.get(f"{PREFIX}/docs", serve_docs, allow_head=False),
    ]
