#!/usr/bin/env python3
"""prepare_summary.py WORK: the table of submit-scripts/bench/prepare.sh (issue 15's dp-prepare benchmark).

Reads WORK/results.tsv and the run logs: PlainCopy prints "plain-copy: rows=N seconds=S rows/s=R"; dp-prepare prints
a line containing "rows/s" and "seconds", parsed permissively (a number before or after each word, thousands
separators allowed). Prints per repetition and the medians: rows, rows/s plain vs dp-prepare, the ratio plain /
prepare (>= 1 when dp-prepare is slower; the goal is <= 1.5), wall times of the processes; then the end-to-end run
(dp-train's evaluation and the ledger's spend). Standard library only.
"""
import csv
import json
import os
import re
import statistics
import sys

NUM = r"([0-9][0-9,_]*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"


def number(s):
    return float(s.replace(",", "").replace("_", ""))


def near(line, word):
    """The number given for `word`: word=N, else N word (N not itself the value of a key=), else word: N / word N."""
    w = re.escape(word)
    m = re.search(w + r"\s*=\s*" + NUM, line)
    if m:
        return number(m.group(1))
    for m in re.finditer(r"(?<![=0-9.,_])" + NUM + r"\s*" + w, line):
        return number(m.group(1))
    m = re.search(w + r"\s*:?\s*" + NUM, line)
    if m:
        return number(m.group(1))
    return None


def parse_log(path):
    """(rows, seconds, rows/s) from the last line of the log that mentions rows/s; None where absent."""
    rows = seconds = rate = None
    line_found = None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if "rows/s" in line:
                    line_found = line
    except OSError:
        return None, None, None
    if line_found is None:
        return None, None, None
    rate = near(line_found, "rows/s")
    # "seconds" first, then "s" as a unit right after a number (e.g. "in 12.3 s")
    seconds = near(line_found, "seconds")
    if seconds is None:
        m = re.search(NUM + r"\s*s\b", line_found)
        seconds = number(m.group(1)) if m else None
    m = re.search(r"rows\s*[=:]\s*" + NUM, line_found) or re.search(NUM + r"\s*(?:input\s+)?rows\b(?!/)", line_found)
    if m:
        rows = number(m.group(1))
    if rate is None and rows is not None and seconds:
        rate = rows / seconds
    return rows, seconds, rate


def prepare_with_session(path):
    """dp-prepare's second figure: seconds from the start of its command, Spark session start included."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.search(NUM + r"\s*seconds with the Spark session's start", line)
                if m:
                    return number(m.group(1))
    except OSError:
        pass
    return None


def plain_with_session(path):
    """PlainCopy's second figure: (seconds, rows/s) from the start of main, session start included."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("plain-copy with session start:"):
                    return near(line, "seconds"), near(line, "rows_per_s")
    except OSError:
        pass
    return None, None


def fmt(v, spec=",.0f"):
    return "-" if v is None else format(v, spec)


def main():
    work = sys.argv[1]
    runs = list(csv.DictReader(open(os.path.join(work, "results.tsv"), encoding="utf-8"), delimiter="\t"))
    by = {r["name"]: r for r in runs}
    reps = sorted({int(r["rep"]) for r in runs if r["name"].startswith("plain-")})
    print("dp-prepare throughput vs a plain Spark CSV -> Parquet copy (local[2], fresh JVM per run)")
    print()
    print("| rep | rows | plain rows/s | plain s | plain wall s | dp-prepare rows/s | dp-prepare s | dp-prepare wall s"
          " | plain / prepare |")
    print("|---|---|---|---|---|---|---|---|---|")
    plain_rates, prep_rates, plain_walls, prep_walls, ratios, rows_seen = [], [], [], [], [], []
    session_rates, session_ratios = [], []
    for rep in reps:
        p, q = by.get(f"plain-{rep}"), by.get(f"prepare-{rep}")
        prow, psec, prate = parse_log(p["log"]) if p else (None, None, None)
        qrow, qsec, qrate = parse_log(q["log"]) if q else (None, None, None)
        ratio = prate / qrate if prate and qrate else None
        print(f"| {rep} | {fmt(prow)} | {fmt(prate)} | {fmt(psec, '.1f')} | {p['wall_seconds'] if p else '-'} | "
              f"{fmt(qrate)} | {fmt(qsec, '.1f')} | {q['wall_seconds'] if q else '-'} | {fmt(ratio, '.2f')} |")
        ssec, srate = plain_with_session(p["log"]) if p else (None, None)
        qtotal = prepare_with_session(q["log"]) if q else None
        if srate and qtotal and qrow:
            session_rates.append(srate)
            session_ratios.append(srate / (qrow / qtotal))
        if prate:
            plain_rates.append(prate)
            plain_walls.append(float(p["wall_seconds"]))
        if qrate:
            prep_rates.append(qrate)
            prep_walls.append(float(q["wall_seconds"]))
        if ratio:
            ratios.append(ratio)
        if prow:
            rows_seen.append(prow)
        if qrow and prow and qrow != prow:
            print(f"|   | (dp-prepare's line names {fmt(qrow)} rows) | | | | | | | |")
    if plain_rates and prep_rates:
        mp, mq = statistics.median(plain_rates), statistics.median(prep_rates)
        print(f"| median | {fmt(statistics.median(rows_seen)) if rows_seen else '-'} | {fmt(mp)} | | "
              f"{statistics.median(plain_walls):.1f} | {fmt(mq)} | | {statistics.median(prep_walls):.1f} | "
              f"**{mp / mq:.2f}** |")
        print()
        print(f"ratio of the medians (plain rows/s / dp-prepare rows/s): {mp / mq:.2f} (goal <= 1.5); per repetition "
              f"{min(ratios):.2f} - {max(ratios):.2f}; wall-time ratio of the medians "
              f"{statistics.median(prep_walls) / statistics.median(plain_walls):.2f}")
        if session_ratios:
            print(f"with the Spark session's start counted on both sides: ratio of the medians "
                  f"{statistics.median(session_ratios):.2f}; per repetition {min(session_ratios):.2f} - "
                  f"{max(session_ratios):.2f}")
    else:
        print("(no throughput parsed: see the logs)")

    e2e = os.path.join(work, "e2e")
    print()
    print("end to end (dp-prepare -> dp-ledger set-budget -> dp-train --privacy-unit user):")
    for name in ("e2e-ledger-init", "e2e-prepare", "e2e-set-budget", "e2e-prepare-eval", "e2e-train"):
        r = by.get(name)
        if r:
            print(f"  {name}: exit {r['exit']}, wall {r['wall_seconds']} s")
    rep_path = os.path.join(e2e, "train-report.json")
    if os.path.exists(rep_path):
        rep = json.load(open(rep_path, encoding="utf-8"))
        ev = rep.get("evaluation") or {}
        tr = rep.get("training") or {}
        acc, auc = ev.get("accuracy"), ev.get("auc")
        print(f"  dp-train evaluation on the prepared held-out copy ({ev.get('rows')} rows): accuracy "
              f"{fmt(acc, '.4f')}, AUC {fmt(auc, '.4f')}; training loop {fmt(tr.get('training_loop_seconds'), '.1f')} s, "
              f"{fmt(tr.get('millis_per_step'), '.2f')} ms/step")
    show = os.path.join(e2e, "ledger-show.json")
    if os.path.exists(show):
        s = json.load(open(show, encoding="utf-8"))
        budget = s.get("budget") or {}
        print(f"  ledger (dataset {s.get('dataset_id')}): budget epsilon {budget.get('epsilon')} delta "
              f"{budget.get('delta')} unit {budget.get('privacy_unit')}; spent epsilon {fmt(s.get('spent_epsilon'), '.4f')}"
              f" (at delta {s.get('delta')}), remaining {fmt(s.get('remaining_epsilon'), '.4f')}; jobs "
              f"{len(s.get('jobs', []))}")


if __name__ == "__main__":
    main()
