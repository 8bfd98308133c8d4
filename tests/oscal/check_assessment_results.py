#!/usr/bin/env python3
"""Validates OSCAL assessment-results files with compliance-trestle's pydantic models.

Usage: python check_assessment_results.py FILE.json [FILE.json ...]
Run with the interpreter of a venv that has `compliance-trestle` installed (`make oscal-check`
creates target/trestle-venv). Exits 0 when every file loads as trestle's AssessmentResults
without a validation error, 1 otherwise (naming the file and the error), 2 if trestle is missing.
"""

import pathlib
import sys

try:
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal.assessment_results import AssessmentResults
except ImportError as e:  # pragma: no cover - environment problem, not a validation result
    print(f"error: compliance-trestle is not installed in this interpreter ({sys.executable}): {e}", file=sys.stderr)
    sys.exit(2)


def check(path):
    doc = AssessmentResults.oscal_read(pathlib.Path(path))
    if doc is None:
        raise ValueError("trestle read nothing")
    version = doc.metadata.oscal_version
    version = getattr(version, "root", version)
    version = getattr(version, "root", version)
    if str(version) != OSCAL_VERSION:
        raise ValueError(f"oscal-version {version}, trestle implements {OSCAL_VERSION}")
    results = doc.results
    findings = sum(len(r.findings or []) for r in results)
    observations = sum(len(r.observations or []) for r in results)
    resources = len(doc.back_matter.resources or []) if doc.back_matter else 0
    return f"{len(results)} result(s), {findings} findings, {observations} observations, {resources} resources"


def main(paths):
    if not paths:
        print("usage: check_assessment_results.py FILE.json ...", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
            print(f"{path}: valid OSCAL {OSCAL_VERSION} assessment results: {check(path)}")
        except Exception as e:  # trestle raises pydantic ValidationError, ValueError, ...
            failed = True
            text = str(e)
            print(f"{path}: INVALID: {text[:4000]}" + (" ..." if len(text) > 4000 else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
