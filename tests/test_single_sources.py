"""Each fact mbcheck states is written once: a second copy fails here when it drifts."""

from __future__ import annotations

import re
from pathlib import Path

from jsonschema import Draft202012Validator

from mbcheck.checks.compat.tables import catalogue_documents, host_api_catalogue
from mbcheck.checks.interface.contract import known_interface_methods
from mbcheck.resources import list_dir, load_json

# --------------------------------------------------------------------------- the host profile


def _profiles() -> list[dict[str, object]]:
    return [load_json(f"rules/hosts/{name}") for name in list_dir("rules/hosts") if name.endswith(".json")]


def test_a_release_s_public_api_is_written_once() -> None:
    documents = catalogue_documents()
    versions = [version for _path, version, _modules in documents]
    assert len(versions) == len(set(versions)), "two host profiles state the same release's public_api"
    # the host profiles are the catalogue's only source: no second folder of module lists
    assert {path.rsplit("/", 1)[0] for path, _version, _modules in documents} == {"rules/hosts"}
    assert list_dir("rules/host-api") == [] and "rules-host-api.schema.json" not in list_dir("schemas")
    assert {p["milkbottle_version"] for p in _profiles()} <= set(versions)


def test_the_catalogue_is_the_profiles_public_api() -> None:
    by_version = {str(api.version): api for api in host_api_catalogue()}
    for profile in _profiles():
        api = by_version[str(profile["milkbottle_version"])]
        public_api = profile["public_api"]
        assert isinstance(public_api, dict)
        assert dict(api.modules) == {module: frozenset(names) for module, names in public_api.items()}


def test_interface_methods_come_from_the_shipped_profiles() -> None:
    names: set[str] = set()
    for profile in _profiles():
        interface = profile["plugin_interface"]
        assert isinstance(interface, dict)
        names.update(interface)
    assert known_interface_methods() == names


def test_each_profile_states_its_release_once() -> None:
    from packaging.specifiers import SpecifierSet

    from mbcheck.config import HOST_PROFILE_ALIASES, Config

    names = [name.removesuffix(".json") for name in list_dir("rules/hosts") if name.endswith(".json")]
    assert Config().host_profile in names
    # an alias names a shipped profile and is never one itself (no second copy under the old name)
    assert set(HOST_PROFILE_ALIASES.values()) <= set(names) and not set(HOST_PROFILE_ALIASES) & set(names)
    for name, profile in zip(names, _profiles(), strict=True):
        assert profile["name"] == name and name.startswith(f"milkbottle-{profile['milkbottle_version']}")
        versions = profile.get("python_versions", [])
        assert isinstance(versions, list)
        assert all(f"{minor}.0" in SpecifierSet(str(profile["requires_python"])) for minor in versions), name


def test_the_bottle_group_is_the_shipped_profile_s() -> None:
    from mbcheck.checks.interface.contract import BOTTLE_GROUP
    from mbcheck.config import DEFAULT_HOST_PROFILE

    profile = load_json(f"rules/hosts/{DEFAULT_HOST_PROFILE}.json")
    assert profile["bottles"]["entry_point_groups"] == [BOTTLE_GROUP]


# --------------------------------------------------------------------------- archive problem codes


def test_an_archive_problem_code_is_written_once() -> None:
    from mbcheck.archive import problems
    from mbcheck.archive.rules import RULES

    constants = {name: value for name, value in vars(problems).items()
                 if name.isupper() and isinstance(value, str) and value.startswith("MBA")}
    assert set(constants.values()) == set(problems.CODES) == set(RULES)
    assert len(set(constants.values())) == len(constants)
    # the codes' only literal is problems.py: everything else names the constant
    package = Path(problems.__file__).parent
    for path in package.parent.rglob("*.py"):
        if path != Path(problems.__file__):
            assert not re.search(r"[\"']MBA\d", path.read_text(encoding="utf-8")), path


# --------------------------------------------------------------------------- the permission vocabulary

#: every schema that lists the permission names, and where its list is
PERMISSION_ENUMS = {
    "schemas/plugin-manifest.schema.json": ("properties", "permissions", "items", "enum"),
    "schemas/policy.schema.json": ("$defs", "permission", "enum"),
    "schemas/rules-security-permissions.schema.json": ("$defs", "permission", "enum"),
}


def _vocabulary() -> dict[str, str]:
    data = load_json("rules/permissions.json")
    Draft202012Validator(load_json("schemas/rules-permissions.schema.json")).validate(data)
    return dict(data["permissions"])


def test_every_schema_s_permission_enum_is_the_vocabulary() -> None:
    vocabulary = list(_vocabulary())
    for schema, where in PERMISSION_ENUMS.items():
        node = load_json(schema)
        for key in where:
            node = node[key]
        assert node == vocabulary, schema
    # the report schema takes any name (a report may come from a newer mbcheck): no second list there
    assert "enum" not in load_json("schemas/report.schema.json")["$defs"]["permission"]


def test_the_code_s_permission_names_are_the_vocabulary() -> None:
    from mbcheck.checks.security.tables import PERMISSIONS, SIDE_EFFECT_PERMISSIONS
    from mbcheck.gate import permission_vocabulary

    vocabulary = tuple(_vocabulary())
    assert permission_vocabulary() == vocabulary
    assert vocabulary == PERMISSIONS
    assert set(vocabulary) >= SIDE_EFFECT_PERMISSIONS


def test_the_manifest_schema_explains_each_permission_as_the_vocabulary_does() -> None:
    description = load_json("schemas/plugin-manifest.schema.json")["properties"]["permissions"]["description"]
    for name, meaning in _vocabulary().items():
        assert f"`{name}`: {meaning}" in description, name


# --------------------------------------------------------------------------- archive suffixes

MBCHECK = Path(__file__).resolve().parent.parent / "mbcheck"


def _sources_with(pattern: str) -> set[str]:
    return {
        path.relative_to(MBCHECK).as_posix()
        for path in MBCHECK.rglob("*.py")
        if re.search(pattern, path.read_text(encoding="utf-8"))
    }


def test_archive_suffixes_are_listed_once() -> None:
    from mbcheck.archive.formats import ARCHIVE_SUFFIXES, has_archive_name
    from mbcheck.archive.inspect import is_archive
    from mbcheck.discovery import is_archive as discovered
    from mbcheck.gate import identity

    # requirements.py's list is pip's (requirement files and URLs), and the compat generator names
    # the PyPI sdists it reads typeshed from: neither is about plugin archives
    assert _sources_with(r"[\"']\.(tgz|whl|tar\.gz)[\"']") == {
        "archive/formats.py",
        "checks/deps/requirements.py",
        "checks/compat/generate.py",
    }
    for suffix in ARCHIVE_SUFFIXES:
        name = f"Example-1.0{suffix.upper()}"
        assert has_archive_name(name) and discovered(Path(name)) and not is_archive(Path("/nonexistent") / name)
        assert identity(name) == ("Example" if suffix == ".whl" else "Example-1.0")


# --------------------------------------------------------------------------- the dunder map


def test_the_dunder_map_is_the_only_one() -> None:
    from mbcheck.checks.manifest.analysis import DUNDER_FIELDS

    properties = load_json("schemas/plugin-manifest.schema.json")["properties"]
    assert set(DUNDER_FIELDS.values()) <= set(properties)
    # compat's "declare python_version in a plugin.yaml (the metadata dunders have no field for it)"
    assert "python_version" not in DUNDER_FIELDS.values()
    # deps' messages name the dependencies dunder as `__dependencies__`
    assert DUNDER_FIELDS["__dependencies__"] == "dependencies"
    # no other module spells the metadata dunders as data
    only = {"checks/manifest/analysis.py"}
    assert _sources_with(r"[\"']__(description|author|email|license|capabilities|tags)__[\"']") == only


# --------------------------------------------------------------------------- config defaults and digest


def test_config_defaults_are_the_config_class_s() -> None:
    from mbcheck.config import SETTINGS, Config, from_mapping
    from mbcheck.pyfile.jobs import FileOptions

    schema = load_json("schemas/config.schema.json")
    properties = schema["properties"]
    assert from_mapping({}) == Config()
    assert set(properties) == {*SETTINGS, "select", "extend-select"}
    for key, spec in properties.items():
        if key == "cache-dir":  # None: the user cache directory, which the description explains
            assert "default" not in spec
            continue
        # stating a schema default changes nothing: it is the Config class's default
        assert from_mapping({key: spec["default"]}) == Config(), key
        assert "default" not in spec.get("description", "").lower(), key
    for key, spec in schema["$defs"]["settings"]["properties"].items():
        assert "default" not in spec.get("description", "").lower(), key
    assert FileOptions().max_bytes == Config().max_file_size


def test_one_function_digests_the_config() -> None:
    import dataclasses

    from mbcheck.config import Config
    from mbcheck.digest import FILE_SETTINGS, REPORT_SETTINGS, config_digest

    fields = {field.name for field in dataclasses.fields(Config)}
    assert set(REPORT_SETTINGS) <= fields and set(FILE_SETTINGS) <= set(REPORT_SETTINGS)
    config = Config(max_file_size=5)
    assert config.digest() == config_digest(config, FILE_SETTINGS) != config_digest(Config(), FILE_SETTINGS)
    assert config.digest() == Config(max_file_size=5, select=("MB1",)).digest()
    assert config_digest(config) != config_digest(Config(max_file_size=5, select=("MB1",)))


# --------------------------------------------------------------------------- one schema helper

#: modules that still build validators or hints by hand (the host profile's loader, the plugin config rules)
NOT_YET_THROUGH_THE_HELPER = {"checks/config/rules.py", "checks/config/schema.py"}


def test_shipped_schemas_are_validated_through_one_helper() -> None:
    by_hand = _sources_with(r"Draft202012Validator|\.iter_errors\(|best_match|get_close_matches")
    assert by_hand - {"documents/schema.py"} <= NOT_YET_THROUGH_THE_HELPER


def test_the_helper_loads_every_shipped_schema() -> None:
    from mbcheck.documents import schema

    for name in list_dir("schemas"):
        if name.endswith(".schema.json"):
            Draft202012Validator.check_schema(schema.validator(name.removesuffix(".schema.json")).schema)
    error, count = schema.first_error("policy", {"allow-permisions": [], "block-severity": "loud"}, "path") or (None, 0)
    assert count == 2 and schema.unknown_keys(error) == ["allow-permisions"]
    assert schema.did_you_mean("allow-permisions", ["allow-permissions", "allow-warn"]) == " (did you mean `allow-permissions`?)"
    assert schema.did_you_mean("zzz", ["allow-warn"], clause=True) == ""
