"""An in-memory implementation of the Pet Store server (specs/petstore.yaml), for the README's
client examples: a store of pets listed a page at a time (``next_cursor``), a photo (bytes), a
card (text), a 204 on delete, a 404 carrying the spec's Error model, an ``X-Rate-Limit-Remaining``
header on ``get_pet``, and a short stream of events. It accepts the API key and the bearer token
the examples send (``secret``, ``token``) and refuses any other (401)."""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from petstore_server import Handlers, models
from typing_extensions import override

#: The first bytes of every PNG file: the photo the store sends for each pet.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Requests a client may still make this minute, as the store answers it on get_pet.
RATE_LIMIT_REMAINING = 41

#: The one customer of the store, and the credentials it sends.
CUSTOMER = "readme-reader"
API_KEY = "secret"
TOKEN = "token"

SEED: list[tuple[str, models.Status, datetime.date]] = [
    ("Rex", "available", datetime.date(2019, 4, 2)),
    ("Tom", "available", datetime.date(2020, 9, 14)),
    ("Kitty", "pending", datetime.date(2021, 1, 30)),
    ("Fido", "sold", datetime.date(2018, 6, 11)),
    ("Bubbles", "available", datetime.date(2023, 3, 3)),
]


def _not_found(pet_id: uuid.UUID) -> JSONResponse:
    error = models.Error(code="not_found", message=f"no pet has the id {pet_id}")
    return JSONResponse(jsonable_encoder(error), status_code=404)


class PetStore(Handlers):
    """The store's pets in insertion order; a cursor is the index of a page's first pet."""

    def __init__(self) -> None:
        self.pets: dict[uuid.UUID, models.Pet] = {}
        added_at = datetime.datetime(2024, 5, 1, 9, 0, tzinfo=datetime.UTC)
        for number, (name, status, born_on) in enumerate(SEED):
            pet_id = uuid.UUID(int=number + 1)
            self.pets[pet_id] = models.Pet(
                id=pet_id, name=name, status=status, born_on=born_on, added_at=added_at
            )

    @override
    async def verify_api_key(self, credential: str, request: Request) -> object:
        return CUSTOMER if secrets.compare_digest(credential, API_KEY) else None

    @override
    async def verify_bearer(self, credential: str, request: Request) -> object:
        return CUSTOMER if secrets.compare_digest(credential, TOKEN) else None

    @override
    async def list_pets(
        self, *, limit: int | None, cursor: str | None, status: models.Status | None
    ) -> Any:
        pets = [pet for pet in self.pets.values() if status is None or pet.status == status]
        start = int(cursor or 0)
        end = start + (limit or 20)
        next_cursor = str(end) if end < len(pets) else None
        return models.PetPage(items=pets[start:end], next_cursor=next_cursor)

    @override
    async def create_pet(self, *, body: models.Pet) -> Any:
        if any(pet.name == body.name for pet in self.pets.values()):
            error = models.Error(code="conflict", message=f"a pet called {body.name} is in the store")
            return JSONResponse(jsonable_encoder(error), status_code=409)
        pet = body.model_copy(
            update={"id": uuid.uuid4(), "added_at": datetime.datetime.now(datetime.UTC)}
        )
        assert pet.id is not None
        self.pets[pet.id] = pet
        return pet

    @override
    async def get_pet(self, *, pet_id: uuid.UUID) -> Any:
        pet = self.pets.get(pet_id)
        if pet is None:
            return _not_found(pet_id)
        headers = {"X-Rate-Limit-Remaining": str(RATE_LIMIT_REMAINING)}
        return JSONResponse(jsonable_encoder(pet), headers=headers)

    @override
    async def delete_pet(self, *, pet_id: uuid.UUID) -> Any:
        if self.pets.pop(pet_id, None) is None:
            return _not_found(pet_id)
        return None

    @override
    async def get_pet_photo(self, *, pet_id: uuid.UUID) -> Any:
        if pet_id not in self.pets:
            return _not_found(pet_id)
        return PNG_SIGNATURE + pet_id.bytes * 64

    @override
    async def get_pet_card(self, *, pet_id: uuid.UUID) -> Any:
        pet = self.pets[pet_id]
        return f"{pet.name}\nborn {pet.born_on:%d %B %Y}\n{pet.status}\n"

    @override
    async def stream_events(self) -> Any:
        return self._events()

    def _events(self) -> Iterator[dict[str, Any]]:
        yield {"comment": "the store's events, as they happen"}
        for number, pet in enumerate(list(self.pets.values())[:3], start=1):
            yield {"event": "adopted", "id": str(number), "data": {"name": pet.name}}
        yield {"event": "closed", "data": "see you tomorrow"}
