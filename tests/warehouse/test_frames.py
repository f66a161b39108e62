"""Documents flatten into the batch frames of the contract."""

from __future__ import annotations

import pyarrow as pa

from tests.warehouse.factories import sample_document
from warehouse.frames import documents_to_frames
from warehouse.schema import BATCH_SCHEMAS


def test_frames_follow_the_batch_contract() -> None:
    frames = documents_to_frames([sample_document(), sample_document("https://t.test/2")])
    for name, frame in frames.as_dict().items():
        assert frame.to_arrow().schema.names == BATCH_SCHEMAS[name].names
        for field in BATCH_SCHEMAS[name]:
            got = frame.to_arrow().schema.field(field.name).type
            assert got in (field.type, pa.large_string(), pa.string_view()) or (
                pa.types.is_list(got) or pa.types.is_large_list(got)), (name, field.name, got)


def test_one_row_per_node_mention_target_and_theme() -> None:
    doc = sample_document()
    frames = documents_to_frames([doc])
    assert frames.document.height == 1
    assert frames.task["node_id"].to_list() == [n.id for n in doc.nodes]
    assert frames.unit.height == sum(len(n.units) for n in doc.nodes) == 8
    assert frames.target.height == 3
    assert frames.theme.height == sum(len(n.themes) for n in doc.nodes)
    n11 = frames.unit.filter(node_id="n1.1")
    assert n11["mention_no"].to_list() == [1, 2, 3, 4]
    assert n11["clause_no"].to_list() == [1, 2, 2, 3]
    assert n11["canonical_name"].to_list()[1] == "市国家安全局"
