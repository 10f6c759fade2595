"""Every RFC 9901 example and every sd-jwt-python cross-implementation case, from the data files.

For each case: issue with the published issuer key (the ``!sd`` YAML tag becomes :class:`SD`), let the
holder disclose ``holder_disclosed_claims``, present with a KB-JWT when ``key_binding`` is set, put it
in the JWS JSON Serialization when ``serialization_format`` is ``json`` (two signatures when the case
lists two issuer keys), verify, and compare with ``expect_verified_user_claims``.

``holder_disclosed_claims`` is read as the sd-jwt-python harness reads it: a truthy value under a name
(or an element other than False/None in an array) discloses that claim; a nested object or array
descends into it; ``true`` on an object or array discloses the container only, not what is hidden
inside it. That is :func:`select` with ``recursive=False``. The RFC examples state no expected result,
so :func:`expected_claims` derives it from the same two inputs, without the library; the
sd-jwt-python cases, which do state one, check that model too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.jose import b64url_decode, encode_jws, private_key_from_jwk, public_jwk
from credentials.sdjwt import SD, ClaimPath, KeyBindingCheck, SdJwt, issue, present, select, verify
from tests.conftest import VECTORS
from tests.credentials.support import NOW, seeded

ENVELOPE = {"iss", "iat", "exp", "cnf"}
FOLDERS = ("sd-jwt-rfc9901-examples/examples", "sd-jwt-python-testcases")


class SdLoader(yaml.SafeLoader):
    """YAML with the ``!sd`` tag of the example files."""


def _construct_sd(loader: yaml.SafeLoader, node: yaml.Node) -> SD:
    if isinstance(node, yaml.MappingNode):
        return SD(loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return SD(loader.construct_sequence(node, deep=True))
    assert isinstance(node, yaml.ScalarNode)
    if node.style:  # quoted: a string, whatever it looks like
        return SD(node.value)
    # unquoted: the type it would have had untagged (``!sd 42`` is a number, ``!sd null`` is None)
    tag = loader.resolve(yaml.ScalarNode, node.value, (True, False))
    return SD(loader.construct_object(yaml.ScalarNode(tag, node.value)))


SdLoader.add_constructor("!sd", _construct_sd)


def specifications() -> list[Any]:
    return [
        pytest.param(spec, id=f"{folder.split('/')[0]}:{spec.parent.name}")
        for folder in FOLDERS
        for spec in sorted((VECTORS / folder).glob("*/specification.yml"))
    ]


def plain(value: Any) -> Any:
    """The claims with the markers taken off."""
    if isinstance(value, SD):
        return plain(value.value)
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def disclosed_paths(choice: Any, path: ClaimPath = ()) -> list[ClaimPath]:
    """``holder_disclosed_claims`` as claim paths, per the reading in the module docstring."""
    found: list[ClaimPath] = []
    if isinstance(choice, dict):
        for name, sub in choice.items():
            if sub:
                found.append((*path, name))
            found.extend(disclosed_paths(sub, (*path, name)))
    elif isinstance(choice, list):
        for index, sub in enumerate(choice):
            if sub is not False and sub is not None:
                found.append((*path, index))
            found.extend(disclosed_paths(sub, (*path, index)))
    return found


def expected_claims(claims: Any, choice: Any) -> Any:
    """What a verifier sees: plain claims stay; a marked one only if the holder chose it."""
    if isinstance(claims, dict):
        result = {}
        for key, item in claims.items():
            name = key.value if isinstance(key, SD) else key
            sub = choice.get(name) if isinstance(choice, dict) else None
            if not isinstance(key, SD) or sub:
                result[name] = expected_claims(item, sub)
        return result
    if isinstance(claims, list):
        items = []
        for index, item in enumerate(claims):
            sub = choice[index] if isinstance(choice, list) and index < len(choice) else None
            if not isinstance(item, SD):
                items.append(expected_claims(item, sub))
            elif sub is not False and sub is not None:
                items.append(expected_claims(item.value, sub))
        return items
    return claims


def load(spec: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    case = yaml.load(spec.read_text(encoding="utf-8"), Loader=SdLoader)
    settings = yaml.safe_load((spec.parent.parent / "settings.yml").read_text(encoding="utf-8"))
    return case, settings


def test_every_vector_is_found(vectors: Path) -> None:
    """Guards against a silently empty parametrization when the vectors folder moves."""
    assert len(specifications()) == 32


@pytest.mark.parametrize("spec", specifications())
def test_vector(spec: Path) -> None:
    case, settings = load(spec)
    keys = (case.get("settings_override") or {}).get("key_settings") or settings["key_settings"]
    issuer_jwks = keys.get("issuer_keys") or [keys["issuer_key"]]
    issuer_keys = [private_key_from_jwk(jwk) for jwk in issuer_jwks]
    holder_key = private_key_from_jwk(keys["holder_key"])
    key_binding = bool(case.get("key_binding"))
    audience, nonce = settings["identifiers"]["verifier"], str(settings["key_binding_nonce"])
    several = len(issuer_keys) > 1
    header = dict(case.get("extra_header_parameters") or {})
    if several:
        header["kid"] = issuer_jwks[0]["kid"]

    claims = {"iss": settings["identifiers"]["issuer"], "iat": settings["iat"], "exp": settings["exp"]}
    claims.update(case["user_claims"])
    issued = issue(
        claims,
        key=issuer_keys[0],
        header=header,
        holder_jwk=public_jwk(holder_key) if key_binding else None,
        decoys=4 if case.get("add_decoy_claims") else 0,
        rng=seeded(settings["random_seed"]),
    )
    choice = case.get("holder_disclosed_claims") or {}
    paths = disclosed_paths(choice)
    if key_binding:
        presentation = present(
            issued, paths, holder_key=holder_key, audience=audience, nonce=nonce, iat=NOW, recursive=False
        )
    else:
        presentation = select(issued, paths, recursive=False).serialize()
    if case.get("serialization_format") == "json":
        presentation = _json(presentation, issuer_jwks, general=several or "general" in spec.parent.name)

    by_kid = {jwk.get("kid"): key.public_key() for jwk, key in zip(issuer_jwks, issuer_keys, strict=True)}
    verified = verify(
        presentation,
        issuer_key=lambda protected, _: by_kid[protected["kid"]] if several else issuer_keys[0].public_key(),
        key_binding=KeyBindingCheck(audience=audience, nonce=nonce, now=NOW) if key_binding else None,
        now=NOW,
    )
    got = {name: value for name, value in verified.claims.items() if name not in ENVELOPE}
    model = {name: value for name, value in expected_claims(claims, choice).items() if name not in ENVELOPE}
    if "expect_verified_user_claims" in case:
        assert plain(case["expect_verified_user_claims"]) == model
    assert got == model
    assert verified.header == {"alg": "ES256", **header}
    if key_binding:
        assert verified.claims["cnf"] == {"jwk": public_jwk(holder_key)}
        assert verified.key_binding is not None and verified.key_binding["nonce"] == nonce


def _json(presentation: str, issuer_jwks: list[dict[str, Any]], *, general: bool) -> str:
    """Section 8: the presentation in the JWS JSON Serialization, signed by every issuer key."""
    parsed = SdJwt.parse(presentation)
    _, payload, _ = parsed.issuer_jwt.split(".")
    others = tuple(
        encode_jws({"kid": jwk["kid"]}, b64url_decode(payload), private_key_from_jwk(jwk))
        for jwk in issuer_jwks[1:]
    )
    with_others = SdJwt(parsed.issuer_jwt, parsed.disclosures, parsed.key_binding_jwt, others)
    return json.dumps(with_others.to_json(general=general))
