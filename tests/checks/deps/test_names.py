"""Distribution names: the data tables, import lookup and look-alike names."""

from __future__ import annotations

import random
import string
from collections import Counter
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement

from mbcheck.checks.deps import names as names_module
from mbcheck.checks.deps.names import (
    LONG_NAME,
    MIN_EDIT_LENGTH,
    PopularIndex,
    canonical,
    damerau_levenshtein,
    distribution_for_import,
    load_import_map,
    load_popular,
    lookalike,
    popular_index,
    skeleton,
)
from mbcheck.resources import load_json

HOST_REQUIREMENTS = [
    "click>=8.0.0",
    "typer>=0.16.0",
    "rich>=13.7.1",
    "python-slugify>=8.0.4",
    "tqdm>=4.66.2",
    "pymupdf>=1.23.7",
    "pillow>=10.3.0",
    "pyyaml>=6.0.1",
    "pandas>=2.0.0",
    "psutil>=5.9.0",
    "packaging>=23.0",
]


def validate(data_path: str, schema_path: str) -> Any:
    schema = load_json(schema_path)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = load_json(data_path)
    jsonschema.Draft202012Validator(schema).validate(data)
    return data


# --- the data files -----------------------------------------------------------


def test_import_map_matches_its_schema() -> None:
    data = validate("rules/deps/import-map.json", "schemas/rules-deps-import-map.schema.json")
    assert data["source"].strip()
    assert len(data["modules"]) >= 300


def test_popular_matches_its_schema() -> None:
    data = validate("rules/deps/popular.json", "schemas/rules-deps-popular.schema.json")
    assert data["source"].strip()
    assert 4900 <= len(data["distributions"]) <= 5000


@pytest.mark.parametrize(
    "bad",
    [
        {"source": "x", "modules": {"yaml": ""}},
        {"source": "x", "modules": {"yaml": []}},
        {"source": "x", "modules": {"not-an-import": "x"}},
        {"source": "x", "modules": {"a..b": "x"}},
        {"source": "x", "modules": {"yaml": "PyYAML"}, "extra": 1},
        {"modules": {"yaml": "PyYAML"}},
    ],
)
def test_import_map_schema_rejects(bad: dict[str, Any]) -> None:
    schema = load_json("schemas/rules-deps-import-map.schema.json")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.parametrize(
    "bad",
    [
        {"source": "x", "distributions": ["PyYAML"]},
        {"source": "x", "distributions": ["a_b"]},
        {"source": "x", "distributions": ["a--b"]},
        {"source": "x", "distributions": ["-a"]},
        {"source": "x", "distributions": ["numpy", "numpy"]},
        {"source": "x", "distributions": []},
    ],
)
def test_popular_schema_rejects(bad: dict[str, Any]) -> None:
    schema = load_json("schemas/rules-deps-popular.schema.json")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("yaml", "PyYAML"),
        ("PIL", "Pillow"),
        ("bs4", "beautifulsoup4"),
        ("cv2", "opencv-python"),
        ("sklearn", "scikit-learn"),
        ("dateutil", "python-dateutil"),
        ("jwt", "PyJWT"),
        ("fitz", "PyMuPDF"),
        ("slugify", "python-slugify"),
        ("magic", "python-magic"),
        ("dotenv", "python-dotenv"),
        ("Crypto", "pycryptodome"),
        ("OpenSSL", "pyOpenSSL"),
        ("google.protobuf", "protobuf"),
        ("serial", "pyserial"),
        ("usb", "pyusb"),
        ("git", "GitPython"),
        ("docx", "python-docx"),
        ("pptx", "python-pptx"),
        ("attr", "attrs"),
        ("MySQLdb", "mysqlclient"),
        ("win32api", "pywin32"),
        ("pkg_resources", "setuptools"),
        ("googleapiclient", "google-api-python-client"),
    ],
)
def test_import_map_entries(module: str, distribution: str) -> None:
    assert distribution_for_import(module, load_import_map())[0] == distribution


def test_import_map_has_no_plain_identity_entries() -> None:
    """An unmapped name already stands for itself: a top-level entry that only
    repeats its own name is noise (dotted namespace keys are the exception, and
    so is an import name whose case differs from its distribution's, such as
    `fontTools`: imports are case-sensitive, and a bottle's `get_dependencies()`
    is checked by import name), and so is a distribution's own name when it
    also installs a module of another name (PyMuPDF installs `fitz` and
    `pymupdf`: without the entry, only `fitz` would be known as its module)."""
    table = load_import_map()
    for module, value in table.items():
        if "." in module:
            continue
        names = (value,) if isinstance(value, str) else value
        own = canonical(names[0]) == canonical(module)
        several = sum(
            1 for other, v in table.items()
            if "." not in other and canonical(v if isinstance(v, str) else v[0]) == canonical(names[0])
        ) > 1
        assert len(names) > 1 or not own or module != module.lower() or several, module


def test_import_map_names_are_valid_requirements() -> None:
    for value in load_import_map().values():
        for name in (value,) if isinstance(value, str) else value:
            assert Requirement(name).name == name


def test_host_and_well_known_distributions_are_popular() -> None:
    popular = set(load_popular())
    for requirement in HOST_REQUIREMENTS:
        assert canonical(Requirement(requirement).name) in popular
    for name in ("requests", "numpy", "beautifulsoup4", "scikit-learn", "python-dateutil"):
        assert name in popular


def test_popular_names_are_canonical_and_unique() -> None:
    names = load_popular()
    assert len(set(names)) == len(names)
    assert all(canonical(name) == name for name in names)


def test_popular_is_ordered_by_rank() -> None:
    names = load_popular()
    # requests and numpy are among the most downloaded; a mere look-alike of
    # them is not listed ahead of them.
    assert names.index("requests") < 100
    assert names.index("numpy") < 100


def test_loaders_are_cached_and_read_only() -> None:
    assert load_popular() is load_popular()
    table = load_import_map()
    assert table is load_import_map()
    with pytest.raises(TypeError):
        table["yaml"] = "other"  # type: ignore[index]
    assert isinstance(table["cv2"], tuple)


# --- canonical / skeleton -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("PyYAML", "pyyaml"),
        ("python_dateutil", "python-dateutil"),
        ("zope.interface", "zope-interface"),
        ("Foo__Bar-.baz", "foo-bar-baz"),
    ],
)
def test_canonical(name: str, expected: str) -> None:
    assert canonical(name) == expected


def test_skeleton() -> None:
    assert skeleton("python_dateutil") == skeleton("Pyth0n-DateUtil") == "pythondateutil"
    assert skeleton("reque5ts") == skeleton("requests")
    assert skeleton("requests") != skeleton("request")


# --- distribution_for_import ----------------------------------------------------

TABLE: dict[str, str | list[str]] = {
    "yaml": "PyYAML",
    "google.protobuf": "protobuf",
    "google.cloud.storage": "google-cloud-storage",
    "cv2": ["opencv-python", "opencv-python-headless"],
}


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("yaml", ("PyYAML",)),
        ("yaml.constructor", ("PyYAML",)),
        ("google.protobuf.json_format", ("protobuf",)),
        ("google.cloud.storage.blob", ("google-cloud-storage",)),
        ("google.cloud", ("google",)),
        ("google.cloudy", ("google",)),
        ("cv2.data", ("opencv-python", "opencv-python-headless")),
        ("requests.adapters", ("requests",)),
        (".local_helpers", ()),
        ("", ()),
    ],
)
def test_distribution_for_import(module: str, expected: tuple[str, ...]) -> None:
    assert distribution_for_import(module, TABLE) == expected


identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
dotted = st.lists(identifiers, min_size=1, max_size=4).map(".".join)


@given(dotted)
def test_unmapped_modules_map_to_their_top_level_name(module: str) -> None:
    assert distribution_for_import(module, {}) == (module.split(".")[0],)


@given(st.sampled_from(sorted(load_import_map())), st.lists(identifiers, max_size=3))
def test_submodules_of_a_mapped_module_share_its_distribution(key: str, rest: list[str]) -> None:
    table = load_import_map()
    module = ".".join([key, *rest])
    found = distribution_for_import(module, table)
    # The answer comes from the longest mapped prefix, which is at least `key`.
    parts = module.split(".")
    longest = max(
        (
            ".".join(parts[:end])
            for end in range(1, len(parts) + 1)
            if ".".join(parts[:end]) in table
        ),
        key=len,
    )
    value = table[longest]
    assert found == ((value,) if isinstance(value, str) else tuple(value))


# --- damerau_levenshtein --------------------------------------------------------


def reference_distance(a: str, b: str) -> int:
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


small_words = st.text(alphabet="abc-", max_size=8)


@settings(max_examples=500)
@given(small_words, small_words, st.one_of(st.none(), st.integers(0, 3)))
def test_distance_matches_reference(a: str, b: str, limit: int | None) -> None:
    expected = reference_distance(a, b)
    if limit is not None:
        expected = min(expected, limit + 1)
    assert damerau_levenshtein(a, b, limit) == expected


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("requests", "reqeusts", 1),
        ("requests", "requets", 1),
        ("colorama", "colourama", 1),
        ("abc", "abc", 0),
        ("", "abc", 3),
        ("ca", "abc", 3),
    ],
)
def test_distance_examples(a: str, b: str, distance: int) -> None:
    assert damerau_levenshtein(a, b) == distance


# --- lookalike ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "imitates"),
    [
        ("reqests", "requests"),
        ("requestss", "requests"),
        ("reqeusts", "requests"),
        ("python-dateutils", "python-dateutil"),
        ("pythondateutil", "python-dateutil"),
        ("pyhton-dateutil", "python-dateutil"),
        ("colourama", "colorama"),
        ("urlib3", "urllib3"),
        ("beautifulsoup", "beautifulsoup4"),
        ("bautifulsoup4", "beautifulsoup4"),
        ("reque5ts", "requests"),
        ("Py-Yaml", "pyyaml"),
        ("scikit-lern", "scikit-learn"),
        ("sckit-learnn", "scikit-learn"),
        ("djang0", "django"),
        ("numpyy", "numpy"),
    ],
)
def test_lookalike_examples(name: str, imitates: str) -> None:
    assert lookalike(name, load_popular()) == imitates
    assert popular_index().lookalike(name) == imitates


@pytest.mark.parametrize(
    "name",
    [
        "requests",
        "Requests",
        "PyYAML",
        "python_dateutil",
        "scikit_learn",
        "my-cool-plugin-lib",
        "sx",
    ],
)
def test_not_a_lookalike(name: str) -> None:
    assert lookalike(name, load_popular()) is None


def test_short_names_need_a_skeleton_match() -> None:
    popular = ["six", "abc-def"]
    assert lookalike("sxi", popular) is None  # one swap away, but too short to tell
    assert lookalike("abcdef", popular) == "abc-def"
    assert lookalike("sixx", popular) == "six"


def test_closest_then_most_popular_wins() -> None:
    popular = ["lib-abcdef", "lib-abcdeg", "lib-abcdexx"]
    assert lookalike("lib-abcdez", popular) == "lib-abcdef"  # two 1 away: the higher ranked
    assert lookalike("lib-abcdex", popular) == "lib-abcdef"  # three 1 away: the highest ranked
    popular = ["lib-abcdyyxx", "lib-abcdexx"]
    assert lookalike("lib-abcdexxx", popular) == "lib-abcdexx"  # 1 away beats 2 away


@settings(max_examples=200)
@given(st.sampled_from(load_popular()), st.sampled_from(["upper", "underscore", "dot"]))
def test_a_popular_name_in_any_spelling_is_never_a_lookalike(name: str, spelling: str) -> None:
    variant = {
        "upper": name.upper(),
        "underscore": name.replace("-", "_"),
        "dot": name.replace("-", "."),
    }
    assert lookalike(variant[spelling], load_popular()) is None


def brute_lookalike(name: str, popular: list[str]) -> str | None:
    """The definition of :func:`lookalike`, checked against every popular name."""
    ranked = list(dict.fromkeys(canonical(p) for p in popular))
    query = canonical(name)
    if not query or query in ranked:
        return None
    for candidate in ranked:
        if skeleton(candidate) == skeleton(query):
            return candidate
    if len(query) < MIN_EDIT_LENGTH:
        return None
    limit = 2 if len(query) >= LONG_NAME else 1
    scored = [
        (damerau_levenshtein(query, candidate), rank, candidate)
        for rank, candidate in enumerate(ranked)
    ]
    best = min((s for s in scored if s[0] <= limit), default=None)
    return best[2] if best is not None else None


words = st.text(alphabet="abcde-", min_size=1, max_size=13)


@settings(max_examples=400, deadline=None)
@given(st.lists(words, min_size=1, max_size=30), words)
def test_lookalike_matches_its_definition(popular: list[str], name: str) -> None:
    popular = [p for p in popular if canonical(p)]
    assert lookalike(name, PopularIndex.build(popular)) == brute_lookalike(name, popular)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([p for p in load_popular() if len(p) >= 6]), st.randoms(use_true_random=False)
)
def test_lookalike_of_an_edited_popular_name(name: str, rng: random.Random) -> None:
    chars = list(name)
    for _ in range(2 if len(name) >= LONG_NAME + 1 else 1):
        position = rng.randrange(len(chars))
        chars[position:position] = rng.choice("xyzq")  # insertion
    edited = "".join(chars)
    found = lookalike(edited, load_popular())
    if canonical(edited) in set(load_popular()):
        assert found is None
    else:
        assert found is not None
        assert damerau_levenshtein(canonical(edited), found) <= damerau_levenshtein(
            canonical(edited), name
        ) or skeleton(found) == skeleton(edited)


def test_lookalike_measures_only_a_few_names_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The indexes narrow each query to a few candidates: the exact edit distance is
    computed for a handful of the 5,000 popular names, never for all of them."""
    popular = load_popular()
    rng = random.Random(7)
    queries = [p + rng.choice("sxz") for p in popular[:1500]]
    queries += [
        "".join(rng.choice(string.ascii_lowercase + "-") for _ in range(rng.randint(4, 20)))
        for _ in range(1500)
    ]
    queries += list(popular[:1000])
    measured: list[tuple[str, str]] = []
    exact = names_module.damerau_levenshtein

    def counting(a: str, b: str, limit: int | None = None) -> int:
        measured.append((a, b))
        return exact(a, b) if limit is None else exact(a, b, limit)

    monkeypatch.setattr(names_module, "damerau_levenshtein", counting)
    index = PopularIndex.build(popular)
    answers = [index.lookalike(query) for query in queries]
    assert len(measured) / len(queries) < 5, len(measured) / len(queries)
    assert max(Counter(a for a, _ in measured).values()) < 100
    # the same answers as the shared, cached index
    monkeypatch.undo()
    assert answers == [popular_index().lookalike(query) for query in queries]
    assert sum(answer is not None for answer in answers[:1500]) > 1000
