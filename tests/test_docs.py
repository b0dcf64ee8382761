"""The project explains itself: code, templates and documents cite ``docs/rules.md`` and
``docs/architecture.md``, which are in the repository, never a design document that is not. Every
section they cite exists as a heading of the cited document."""

import re
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RULES = BASE_DIR / "docs" / "rules.md"
ARCHITECTURE = BASE_DIR / "docs" / "architecture.md"
SOURCE_SUFFIXES = (".py", ".html", ".md")
SKIPPED_DIRECTORIES = {".git", ".venv", "node_modules", "var", "locale", "dist", "staticfiles"}

# A citation of the design document that is not in the repository: "DESIGN 5", "DESIGN 8.1",
# "DESIGN section 8", "DESIGN 5's", "DESIGN.md" — the word in capitals, or the file's name.
OUTSIDE_CITATION = re.compile(r"design\.md|shared/reference/|\bDESIGN\b", re.IGNORECASE)
CASE_SENSITIVE_WORD = re.compile(r"\bDESIGN\b")
SECTION = r"§\d+(?:\.\d+)*"
# "docs/rules.md §11.3", "docs/rules.md §9, §10, §11", "`docs/rules.md` §6.3 and §11"
CITATION = re.compile(rf"docs/(rules|architecture)\.md`?((?:(?:\s*,\s*|\s+and\s+|\s+){SECTION})+)")
HEADING = re.compile(rf"^#{{2,4}} ({SECTION})\b", re.MULTILINE)


def _tracked_sources() -> list[Path]:
    """The repository's source files: git's list where there is one, else a walk of the tree."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True, timeout=60
        ).stdout.decode()
        paths = [BASE_DIR / name for name in listed.split("\0") if name]
    except (OSError, subprocess.SubprocessError):
        paths = [
            path
            for path in BASE_DIR.rglob("*")
            if not SKIPPED_DIRECTORIES & set(path.relative_to(BASE_DIR).parts)
        ]
    paths += [RULES, ARCHITECTURE, Path(__file__)]  # new files count before they are committed
    return sorted({path for path in paths if path.suffix in SOURCE_SUFFIXES and path.is_file()})


def _headings(document: Path) -> set[str]:
    return {match.removeprefix("§") for match in HEADING.findall(document.read_text(encoding="utf-8"))}


def _citations(text: str) -> list[tuple[str, str]]:
    """(document, section number) of every citation in ``text``."""
    return [
        (document, number)
        for document, sections in CITATION.findall(text)
        for number in re.findall(r"§(\d+(?:\.\d+)*)", sections)
    ]


def test_the_documents_are_in_the_repository():
    assert RULES.is_file() and ARCHITECTURE.is_file()
    assert _headings(RULES) and _headings(ARCHITECTURE)


def test_no_source_cites_a_document_outside_the_repository():
    this_file = Path(__file__).resolve()
    offenders = []
    for path in _tracked_sources():
        if path.resolve() == this_file:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = OUTSIDE_CITATION.search(line)
            if match and (match.group().lower() != "design" or CASE_SENSITIVE_WORD.search(line)):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert not offenders, "Cite docs/rules.md or docs/architecture.md instead:\n" + "\n".join(offenders)


def test_every_cited_section_exists():
    headings = {"rules": _headings(RULES), "architecture": _headings(ARCHITECTURE)}
    missing = []
    for path in _tracked_sources():
        text = path.read_text(encoding="utf-8")
        for match in CITATION.finditer(text):  # the whole text: a citation may wrap onto the next line
            line = text.count("\n", 0, match.start()) + 1
            for document, section in _citations(match.group()):
                if section not in headings[document]:
                    missing.append(f"{path.relative_to(BASE_DIR)}:{line}: docs/{document}.md §{section}")
    assert not missing, "No such section:\n" + "\n".join(missing)


def test_the_rules_cite_their_own_sections_only():
    text = RULES.read_text(encoding="utf-8")
    headings = _headings(RULES)
    cited = set(re.findall(r"§(\d+(?:\.\d+)*)", HEADING.sub("", text)))
    assert cited <= headings, f"docs/rules.md cites sections it does not have: {sorted(cited - headings)}"


def test_citations_are_found_in_every_spelling_used():
    # Given the spellings the code and the documents use, then each section is read.
    assert _citations("(docs/rules.md §11.3 and §11.4)") == [("rules", "11.3"), ("rules", "11.4")]
    assert _citations("Payments (docs/rules.md §6, §7, §8)") == [
        ("rules", "6"),
        ("rules", "7"),
        ("rules", "8"),
    ]
    assert _citations("see `docs/rules.md` §2.2") == [("rules", "2.2")]
    assert _citations("(docs/architecture.md §4: services") == [("architecture", "4")]
    assert OUTSIDE_CITATION.search("(DESIGN 8.1)") and not CASE_SENSITIVE_WORD.search("the original design")
