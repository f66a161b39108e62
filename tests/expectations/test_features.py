"""Per-document features the documents suite judges."""

from __future__ import annotations

from expectations.features import document_features, document_row
from tests.expectations.conftest import SEEDS, seed_document
from transform.records import Node, Unit


def _node(id_: str, parent: str | None, level: int, number: int | None) -> Node:
    return Node(id_, parent, level, str(number), number, "h", "h")


def test_numbering_may_continue_across_sections_but_not_skip_within_one() -> None:
    doc = seed_document(SEEDS[4])
    doc.nodes = [_node("n1", None, 1, 1), _node("n1.1", "n1", 2, 1), _node("n1.2", "n1", 2, 2),
                 _node("n2", None, 1, 2), _node("n2.3", "n2", 2, 3), _node("n2.5", "n2", 2, 5)]
    row = document_row(0, doc)
    assert row["numbering_gaps"] == 1
    assert row["numbering_sample"] == "n2: 3,5"
    assert row["level1_count"] == 2 and row["node_count"] == 6


def test_replacement_characters_are_split_into_source_and_decoding() -> None:
    doc = seed_document(SEEDS[1])
    doc.text += "\ufffd\ufffd\ufffd"
    assert (document_row(0, doc)["fffd_source"], document_row(0, doc)["fffd_introduced"]) == (0, 3)
    doc.quality_flags = ["encoding_damage"]
    assert document_row(0, doc)["fffd_introduced"] == 0  # no count given: all from the source
    doc.flag_details = {"source_fffd_count": 1}
    assert document_row(0, doc)["fffd_introduced"] == 2


def test_units_on_orphan_nodes_or_without_a_clause_are_unattached() -> None:
    doc = seed_document(SEEDS[2])
    doc.nodes.append(Node("n9.1", "n9", 2, "1", 1, "h", "h",
                          units=[Unit("lead", "司法所", "司法所", clause_no=1)]))
    doc.nodes[0].units.append(Unit("participant", "x", "x", clause_no=0))
    row = document_row(0, doc)
    assert (row["orphan_nodes"], row["unattached_clauses"]) == (1, 2)
    assert row["unit_roles"] == ["lead", "participant"]


def test_the_seed_batch_features() -> None:
    frame = document_features([seed_document(n) for n in SEEDS])
    assert frame["doc_index"].tolist() == [0, 1, 2, 3, 4]
    assert frame["level1_count"].tolist() == [7, 5, 6, 7, 10]
    assert frame["title"].isna().tolist() == [True, False, True, True, False]
    assert frame["redaction_count"].tolist() == [4, 0, 0, 0, 0]  # 202x, xxxx, xx, x
    assert frame["encoding_damage"].tolist() == [False, False, False, True, False]
    assert str(frame["publish_date"].dtype).startswith("datetime64")
