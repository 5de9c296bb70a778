"""Extraction: spaCy Doc -> entities, events, incidents with provenance."""

from threatledger.extract.extractor import EXTRACTOR, extract_doc, extract_documents

run_extraction = extract_documents

__all__ = ["EXTRACTOR", "extract_doc", "extract_documents", "run_extraction"]
