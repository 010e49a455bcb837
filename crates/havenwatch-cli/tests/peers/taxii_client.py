"""A partner's side of a TAXII 2.1 exchange with havenwatch, through the OASIS client.

Usage: taxii_client.py URL READ_USER READ_TOKEN WRITE_USER WRITE_TOKEN EXPECTED_IDS.json

Reads every collection the reader may read, page by page (limit/next), checks that the
`green` collection holds exactly the ids in EXPECTED_IDS.json, fetches one object by id, its
versions and the manifest, then writes a small bundle to the inbox as the writer and reads
its status. Prints one JSON object with what it saw; exits non-zero on any failure.
"""
import json
import sys

from taxii2client.v21 import Server, as_pages

url, read_user, read_token, write_user, write_token, expected_path = sys.argv[1:7]
expected = set(json.load(open(expected_path)))

server = Server(url, user=read_user, password=read_token)
root = server.default
seen = {}
for collection in root.collections:
    ids = []
    pages = 0
    if collection.can_read:
        for envelope in as_pages(collection.get_objects, per_request=50):
            pages += 1
            ids.extend(o["id"] for o in envelope.get("objects", []))
    seen[collection.alias if hasattr(collection, "alias") and collection.alias else collection.title] = {
        "id": collection.id, "ids": ids, "pages": pages, "can_read": collection.can_read,
    }

green = next(c for c in root.collections if c.title.endswith("TLP:GREEN"))
got = set(seen_ids for seen_ids in next(v["ids"] for v in seen.values() if v["id"] == green.id))
assert got == expected, f"green collection differs: {len(got - expected)} extra, {len(expected - got)} missing"
one = sorted(got)[0]
by_id = green.get_object(one)
assert [o["id"] for o in by_id["objects"]] == [one], by_id
versions = green.object_versions(one)
assert len(versions["versions"]) >= 1, versions
manifest = green.get_manifest(limit=5)
assert len(manifest["objects"]) == 5 and manifest["more"] is True, manifest
typed = green.get_objects(type="threat-actor")
assert typed["objects"] and all(o["type"] == "threat-actor" for o in typed["objects"])

writer = Server(url, user=write_user, password=write_token)
inbox = next(c for c in writer.default.collections if c.can_write)
bundle = {
    "objects": [
        {"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--6a1c93a0-5e1c-4b1b-9f49-0d0ac6c0b5a1",
         "created": "2024-10-01T00:00:00.000Z", "modified": "2024-10-01T00:00:00.000Z",
         "name": "Osmar Valley Sentinels", "threat_actor_types": ["terrorist"],
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"type": "location", "spec_version": "2.1", "id": "location--0d7b6c41-5f0e-4c52-8a4a-2f1e5b3a9c11",
         "created": "2024-10-01T00:00:00.000Z", "modified": "2024-10-01T00:00:00.000Z",
         "name": "Osmar Province", "region": "Osmar Province",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--7c2f0a55-6a0b-4c0e-9a55-3f2d7e8b1c22",
         "created": "2024-10-01T00:00:00.000Z", "modified": "2024-10-01T00:00:00.000Z",
         "relationship_type": "located-at",
         "source_ref": "threat-actor--6a1c93a0-5e1c-4b1b-9f49-0d0ac6c0b5a1",
         "target_ref": "location--0d7b6c41-5f0e-4c52-8a4a-2f1e5b3a9c11",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
    ]
}
status = inbox.add_objects(json.dumps(bundle), wait_for_completion=False)
assert status.status == "complete" and status.success_count == 3, status
status.refresh()
assert status.success_count == 3
print(json.dumps({
    "collections": {k: {"objects": len(v["ids"]), "pages": v["pages"], "can_read": v["can_read"]} for k, v in seen.items()},
    "green_objects": len(got),
    "posted": status.success_count,
}))
