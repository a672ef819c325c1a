package dev.redlock.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a run afterwards and counts, per phase, what the report shows: acquisitions, pairs of
 * holds of one key whose validity spans overlap ({@link Hold#validSpans()}, lost holds
 * included), writes the fenced resource accepted although another hold had already written with
 * a token at least as high (stale writes accepted: a repeated token; must be 0) and writes it
 * rejected, fenced holds whose token is not above that of a hold of the same key that ended
 * before they began, losses, leftover keys and availability.
 */
final class FaultChecker {

	/** What the suite measured of one phase. */
	record PhaseRun(Phase phase, long start, long end, List<String> leftoverKeys, Map<FaultKind, Integer> injected) {
	}

	/** Two holds that break a rule, with the text of the evidence. */
	record Violation(Hold earlier, Hold later, String text) {
	}

	private final Histories histories;

	private final List<FencedResource.Write> writes;

	private final List<PhaseRun> phases;

	FaultChecker(Histories histories, List<FencedResource.Write> writes, List<PhaseRun> phases) {
		this.histories = histories;
		this.writes = writes;
		this.phases = phases;
	}

	FaultReport check(long origin) {
		Map<String, FaultReport.Row> rows = new LinkedHashMap<>();
		for (PhaseRun run : this.phases) {
			rows.computeIfAbsent(run.phase().name(), (name) -> new FaultReport.Row(run.phase())).add(run);
		}
		for (Hold hold : this.histories.holds.values()) {
			row(rows, hold.requested).request(hold);
		}
		this.histories.freeFailures.forEach((failure) -> row(rows, failure.at()).freeFailures++);
		this.histories.losses.forEach((loss) -> row(rows, loss.at()).losses++);
		List<Violation> overlaps = overlaps();
		List<Violation> allowedOverlaps = new ArrayList<>();
		List<Violation> forbiddenOverlaps = new ArrayList<>();
		for (Violation overlap : overlaps) {
			FaultReport.Row row = row(rows, overlap.later().requested);
			row.overlaps++;
			boolean allowed = row.phase.overlapsAllowed() || row(rows, overlap.earlier().requested).phase.overlapsAllowed();
			(allowed ? allowedOverlaps : forbiddenOverlaps).add(overlap);
		}
		List<String> staleAccepted = new ArrayList<>();
		List<String> inconsistent = new ArrayList<>();
		Map<String, FencedResource.Write> highest = new HashMap<>();
		for (FencedResource.Write write : this.writes) {
			FaultReport.Row row = row(rows, write.at());
			row.fencedWrites++;
			FencedResource.Write best = highest.get(write.key());
			if (write.accepted()) {
				if (best != null && (write.token() < best.token()
						|| (write.token() == best.token() && !write.hold().equals(best.hold())))) {
					row.staleAccepted++;
					staleAccepted.add(write + " after " + best);
				}
				if (best == null || write.token() > best.token()) {
					highest.put(write.key(), write);
				}
			}
			else {
				row.staleRejected++;
				if (best == null || write.token() >= best.token()) {
					inconsistent.add("rejected " + write + " although the highest accepted was " + best);
				}
			}
		}
		List<Violation> tokenOrder = tokenOrderViolations();
		tokenOrder.forEach((violation) -> row(rows, violation.later().requested).tokenOrder++);
		return new FaultReport(origin, List.copyOf(rows.values()), this.histories, allowedOverlaps, forbiddenOverlaps,
				staleAccepted, inconsistent, tokenOrder);
	}

	private FaultReport.Row row(Map<String, FaultReport.Row> rows, long at) {
		for (PhaseRun run : this.phases) {
			if (at - run.start() >= 0 && at - run.end() < 0) {
				return rows.get(run.phase().name());
			}
		}
		return rows.computeIfAbsent("outside any phase",
				(name) -> new FaultReport.Row(new Phase("outside any phase", Set.of())));
	}

	/**
	 * Pairs of holds of one key, from different acquisitions, whose valid spans intersect.
	 */
	List<Violation> overlaps() {
		record Entry(Hold.Span span, Hold hold) {
		}
		Map<String, List<Entry>> byKey = new TreeMap<>();
		for (Hold hold : this.histories.holds.values()) {
			for (Hold.Span span : hold.validSpans()) {
				for (String key : hold.keys) {
					byKey.computeIfAbsent(key, (k) -> new ArrayList<>()).add(new Entry(span, hold));
				}
			}
		}
		List<Violation> violations = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (Map.Entry<String, List<Entry>> key : byKey.entrySet()) {
			List<Entry> entries = key.getValue();
			entries.sort(Comparator.comparingLong((Entry entry) -> entry.span().start()));
			List<Entry> open = new ArrayList<>();
			for (Entry entry : entries) {
				open.removeIf((earlier) -> earlier.span().end() - entry.span().start() <= 0);
				for (Entry earlier : open) {
					if (earlier.hold() != entry.hold() && seen.add(earlier.hold().id + "|" + entry.hold().id)) {
						long overlap = Math.min(earlier.span().end(), entry.span().end()) - entry.span().start();
						violations.add(new Violation(earlier.hold(), entry.hold(), String.format(Locale.ROOT,
								"%s: %s and %s overlap by %.3f ms", key.getKey(), earlier.hold().id, entry.hold().id,
								overlap / 1e6)));
					}
				}
				open.add(entry);
			}
		}
		return violations;
	}

	/**
	 * Fenced holds whose token is not above the token of a hold of the same key whose validity
	 * ended before they were granted.
	 */
	List<Violation> tokenOrderViolations() {
		Map<String, List<Hold>> byKey = new TreeMap<>();
		for (Hold hold : this.histories.holds.values()) {
			if (hold.isGranted() && hold.token >= 0) {
				byKey.computeIfAbsent(hold.keys.get(0), (k) -> new ArrayList<>()).add(hold);
			}
		}
		List<Violation> violations = new ArrayList<>();
		for (List<Hold> holds : byKey.values()) {
			holds.sort(Comparator.comparingLong((Hold hold) -> hold.granted));
			PriorityQueue<Hold> running = new PriorityQueue<>(Comparator.comparingLong(FaultChecker::validUntil));
			Hold highestDone = null;
			for (Hold hold : holds) {
				while (!running.isEmpty() && validUntil(running.peek()) - hold.granted <= 0) {
					Hold done = running.poll();
					if (highestDone == null || done.token > highestDone.token) {
						highestDone = done;
					}
				}
				if (highestDone != null && hold.token <= highestDone.token) {
					violations.add(new Violation(highestDone, hold, hold.keys.get(0) + ": " + hold.id + " got token "
							+ hold.token + " after " + highestDone.id + " with token " + highestDone.token + " ended"));
				}
				running.add(hold);
			}
		}
		return violations;
	}

	private static long validUntil(Hold hold) {
		List<Hold.Span> spans = hold.validSpans();
		return spans.isEmpty() ? hold.granted : spans.get(spans.size() - 1).end();
	}

}
