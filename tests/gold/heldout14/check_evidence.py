"""Check that every gold evidence string is a substring of its document's text."""
import glob, json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
gold = json.load(open(os.path.join(here, "gold.json")))
bad = 0
for d in gold["documents"]:
    (path,) = glob.glob(os.path.join(here, "texts", d["doc"] + "_*.txt"))
    text = open(path, encoding="utf-8").read()
    for e in d["events"]:
        if e["evidence"] not in text:
            bad += 1
            print(d["doc"], "missing evidence:", e["evidence"])
print("evidence problems:", bad)
sys.exit(1 if bad else 0)
