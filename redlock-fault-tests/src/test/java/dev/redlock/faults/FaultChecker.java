package dev.redlock.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.redlock.test.LockHold;
import dev.redlock.test.LockHolds;

/**
 * Reads a run afterwards and counts, per phase, what the report shows: acquisitions, pairs of
 * holds of one key whose validity spans overlap ({@link LockHold#validSpans()}, lost holds
 * included), writes the fenced resource accepted although another hold had already written with
 * a token at least as high (stale writes accepted: a repeated token; must be 0) and writes it
 * rejected, late writes (sent outside every valid span of the writer's own hold: a paused or cut-off
 * holder writing on) and how many of them the resource rejected, fenced holds whose token is not
 * above that of a hold of the same key that ended before they began, pairs of grants of one key
 * with the same token, losses, leftover keys and availability.
 */
final class FaultChecker {

	/** What the suite measured of one phase. */
	record PhaseRun(Phase phase, long start, long end, List<String> leftoverKeys, Map<FaultKind, Integer> injected) {
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
		for (LockHold hold : this.histories.holds.values()) {
			row(rows, hold.requested()).request(hold);
		}
		this.histories.freeFailures.forEach((failure) -> row(rows, failure.at()).freeFailures++);
		this.histories.losses.forEach((loss) -> row(rows, loss.at()).losses++);
		List<LockHolds.Violation> overlaps = LockHolds.overlaps(this.histories.holds.values());
		List<LockHolds.Violation> allowedOverlaps = new ArrayList<>();
		List<LockHolds.Violation> forbiddenOverlaps = new ArrayList<>();
		for (LockHolds.Violation overlap : overlaps) {
			FaultReport.Row row = row(rows, overlap.later().requested());
			row.overlaps++;
			boolean allowed = row.phase.overlapsAllowed() || row(rows, overlap.earlier().requested()).phase.overlapsAllowed();
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
			if (late(write)) {
				row.lateWrites++;
				if (!write.accepted()) {
					row.lateRejected++;
				}
			}
			if (!write.accepted()) {
				row.staleRejected++;
				if (best == null || write.token() >= best.token()) {
					inconsistent.add("rejected " + write + " although the highest accepted was " + best);
				}
			}
		}
		List<LockHolds.Violation> tokenOrder = LockHolds.tokenOrderViolations(this.histories.holds.values());
		tokenOrder.forEach((violation) -> row(rows, violation.later().requested()).tokenOrder++);
		List<LockHolds.Violation> sharedTokens = sharedTokens();
		sharedTokens.forEach((violation) -> row(rows, violation.later().requested()).sharedTokens++);
		return new FaultReport(origin, List.copyOf(rows.values()), this.histories, allowedOverlaps, forbiddenOverlaps,
				staleAccepted, inconsistent, tokenOrder, sharedTokens);
	}

	/** Whether a write was sent outside every valid span of its writer's hold. */
	private boolean late(FencedResource.Write write) {
		LockHold hold = this.histories.holds.get(write.hold());
		return hold != null && hold.isGranted()
				&& hold.validSpans().stream().noneMatch((span) -> write.at() - span.start() >= 0 && write.at() - span.end() < 0);
	}

	/** Pairs of granted fenced holds of one key with the same token: every grant must get a token of its own. */
	private List<LockHolds.Violation> sharedTokens() {
		Map<String, LockHold> byKeyAndToken = new HashMap<>();
		List<LockHolds.Violation> shared = new ArrayList<>();
		List<LockHold> fenced = this.histories.holds.values().stream()
			.filter((hold) -> hold.isGranted() && hold.token() >= 0)
			.sorted(Comparator.comparingLong(LockHold::granted))
			.toList();
		for (LockHold hold : fenced) {
			for (String key : hold.keys()) {
				LockHold earlier = byKeyAndToken.putIfAbsent(key + " " + hold.token(), hold);
				if (earlier != null) {
					shared.add(new LockHolds.Violation(key, earlier, hold,
							key + ": " + earlier.id() + " and " + hold.id() + " were both granted token " + hold.token()));
				}
			}
		}
		return shared;
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

}
