"""Build docs-assistant's question set from the section headings of the bundled PEPs.

Usage: python scenarios/docs-assistant/build_questions.py

Each reStructuredText section heading of a PEP (a line underlined with
=, -, ~ or ^) becomes one user question about that section, and the section's
own text becomes the answer a fine-tuned model is trained on. Headings every
PEP shares (Abstract, Copyright, References, ...) are left out. The output,
questions.csv, is committed; rerun this script after changing the PEPs.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEPS = HERE.parent / "data" / "peps"
OUTPUT = HERE / "questions.csv"
UNDERLINE = re.compile(r"^([=\-~^])\1{2,}\s*$")
COMMON_HEADINGS = {
    "abstract", "copyright", "references", "footnotes", "rationale", "motivation", "specification",
    "acknowledgements", "acknowledgments", "rejected ideas", "open issues", "backwards compatibility",
    "security implications", "how to teach this", "reference implementation", "introduction", "summary",
    "implementation", "resolution", "examples", "discussion", "deferral notice", "status",
}  # fmt: skip
MAX_QUESTIONS_PER_PEP = 12
MAX_SECTION_CHARS = 4000


def sections(text: str) -> list[tuple[str, str]]:
    """Return (heading, body) pairs of an RST document, in order."""
    lines = text.splitlines()
    starts = [
        index
        for index in range(1, len(lines))
        if UNDERLINE.match(lines[index])
        and lines[index - 1].strip()
        and len(lines[index]) >= len(lines[index - 1].rstrip())
    ]
    result = []
    for position, start in enumerate(starts):
        end = starts[position + 1] - 1 if position + 1 < len(starts) else len(lines)
        heading = lines[start - 1].strip()
        body = "\n".join(lines[start + 1 : end]).strip()
        result.append((heading, body))
    return result


def main() -> None:
    rows = []
    for path in sorted(PEPS.glob("pep-*.rst")):
        text = path.read_text(encoding="utf-8")
        number = int(re.search(r"^PEP:\s*(\d+)", text, re.MULTILINE).group(1))
        kept = 0
        for heading, body in sections(text):
            if heading.lower() in COMMON_HEADINGS or not 8 <= len(heading) <= 80 or len(body) < 200:
                continue
            rows.append(
                {
                    "pep": number,
                    "pep_file": f"data/peps/{path.name}",
                    "question": f"What does PEP {number} say about {heading}?",
                    "answer": body[:MAX_SECTION_CHARS],
                }
            )
            kept += 1
            if kept == MAX_QUESTIONS_PER_PEP:
                break
    with OUTPUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["pep", "pep_file", "question", "answer"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} questions from {len(list(PEPS.glob('pep-*.rst')))} PEPs to {OUTPUT}")


if __name__ == "__main__":
    main()
