"""Every RFC 9901 example and every sd-jwt-python cross-implementation case, parametrized from the data files.

For each: issue with the published issuer key (``!sd`` tags become :class:`SD` markers), let the
holder disclose ``holder_disclosed_claims``, present with key binding where the case asks for it, and
verify. The verified claims must equal ``expect_verified_user_claims``; the RFC examples state no
expectation, so it is computed here, independently of the library, from the same two inputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.jose import private_key_from_jwk, public_jwk
from credentials.sdjwt import SD, ClaimPath, KeyBindingCheck, SdJwt, issue, present, select, verify
from tests.conftest import VECTORS

NOW = 1_790_000_000
NO_DEFAULTS = {"_sd", "_sd_alg", "cnf", "iss", "iat", "exp"}


class SdLoader(yaml.SafeLoader):
    pass


def _sd(loader: yaml.SafeLoader, node: yaml.Node) -> SD:
    if isinstance(node, yaml.MappingNode):
        return SD(loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return SD(loader.construct_sequence(node, deep=True))
    assert isinstance(node, yaml.ScalarNode)
    return SD(loader.construct_yaml_str(node) if node.style else _implicit(loader, node))


def _implicit(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A tagged scalar keeps the type it would have had untagged (``!sd 10`` is the number 10)."""
    tag = loader.resolve(yaml.ScalarNode, node.value, (True, False))
    return loader.construct_object(yaml.ScalarNode(tag, node.value, style=node.style))


SdLoader.add_constructor("!sd", _sd)


def cases() -> list[Any]:
    found = []
    for folder in ("sd-jwt-rfc9901-examples/examples", "sd-jwt-python-testcases"):
        for spec in sorted((VECTORS / folder).glob("*/specification.yml")):
            found.append(pytest.param(spec, id=f"{folder.split('/')[0]}:{spec.parent.name}"))
    return found


def settings_for(spec: Path) -> dict[str, Any]:
    settings = yaml.safe_load((spec.parent.parent / "settings.yml").read_text(encoding="utf-8"))
    return dict(settings)


def unwrap(value: Any) -> Any:
    if isinstance(value, SD):
        return unwrap(value.value)
    if isinstance(value, dict):
        return {unwrap(k): unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def disclosed_paths(choice: Any, path: ClaimPath = ()) -> list[ClaimPath]:
    """``holder_disclosed_claims`` as claims paths: True reveals a subtree, a dict or list descends."""
    if choice is True:
        return [path]
    if isinstance(choice, dict):
        return [p for key, sub in choice.items() for p in disclosed_paths(sub, (*path, key))]
    if isinstance(choice, list):
        return [p for index, sub in enumerate(choice) for p in disclosed_paths(sub, (*path, index))]
    return []


def expected_claims(claims: Any, choice: Any) -> Any:
    """The model: a plain value stays; an SD one stays only when the holder chose it (or something in it)."""

    def chosen(sub: Any) -> bool:
        return sub is True or (isinstance(sub, dict | list) and bool(disclosed_paths(sub)))

    def within(value: Any, sub: Any) -> Any:
        if sub is True:
            return unwrap(value)
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                name = key.value if isinstance(key, SD) else key
                child = sub.get(name) if isinstance(sub, dict) else None
                if isinstance(key, SD) and not chosen(child):
                    continue
                result[name] = within(item, child)
            return result
        if isinstance(value, list):
            result_list = []
            for index, item in enumerate(value):
                child = sub[index] if isinstance(sub, list) and index < len(sub) else None
                if isinstance(item, SD):
                    if chosen(child):
                        result_list.append(within(item.value, child))
                else:
                    result_list.append(within(item, child))
            return result_list
        return value

    return within(claims, choice)


@pytest.mark.parametrize("spec", cases())
def test_vector(spec: Path) -> None:
    case = yaml.load(spec.read_text(encoding="utf-8"), Loader=SdLoader)
    settings = settings_for(spec)
    keys = (case.get("settings_override") or {}).get("key_settings") or settings["key_settings"]
    issuer_jwk = (keys.get("issuer_keys") or [keys.get("issuer_key")])[0]
    issuer_key = private_key_from_jwk(issuer_jwk)
    holder_key = private_key_from_jwk(keys["holder_key"])
    claims = dict(case["user_claims"])
    header = dict(case.get("extra_header_parameters") or {})
    key_binding = bool(case.get("key_binding"))
    issued = issue(
        {"iss": settings["identifiers"]["issuer"], "iat": settings["iat"], "exp": settings["exp"], **claims},
        key=issuer_key,
        header=header,
        holder_jwk=public_jwk(holder_key) if key_binding else None,
        decoys=2 if case.get("add_decoy_claims") else 0,
    )
    paths = disclosed_paths(case.get("holder_disclosed_claims") or {})
    audience = settings["identifiers"]["verifier"]
    nonce = str(settings["key_binding_nonce"])
    if key_binding:
        presentation = present(issued, paths, holder_key=holder_key, audience=audience, nonce=nonce, iat=NOW)
    else:
        presentation = select(issued, paths).serialize()
    if case.get("serialization_format") == "json":
        presentation = json.dumps(SdJwt.parse(presentation).to_json(general="general" in spec.parent.name))

    verified = verify(
        presentation,
        issuer_key=issuer_key.public_key(),
        key_binding=KeyBindingCheck(audience=audience, nonce=nonce, now=NOW) if key_binding else None,
        now=NOW,
    )
    got = {k: v for k, v in verified.claims.items() if k not in NO_DEFAULTS}
    if "expect_verified_user_claims" in case:
        expected = unwrap(case["expect_verified_user_claims"])
    else:
        model = expected_claims(claims, case.get("holder_disclosed_claims") or {})
        expected = {k: v for k, v in model.items() if k not in NO_DEFAULTS}
    assert got == expected
    assert verified.header.items() >= header.items()


def test_rfc_disclosure_digest() -> None:
    """The digest of the RFC 9901 section 4.2.1 example disclosure for ``given_name``."""
    from credentials._disclosure import Disclosure

    disclosure = Disclosure.decode("WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd")
    assert (disclosure.salt, disclosure.name, disclosure.value) == (
        "2GLC42sKQveCfGfryNRN9w",
        "given_name",
        "John",
    )
    assert disclosure.digest == "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4"
