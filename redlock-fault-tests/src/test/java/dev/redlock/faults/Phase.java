package dev.redlock.faults;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A stretch of the run with one set of fault kinds: none (the baseline), one kind, or all of
 * them at once. Between two phases every fault is healed and the clients rest, so that every hold
 * belongs to exactly one phase.
 *
 * @param name the name in the report
 * @param kinds the kinds injected
 */
record Phase(String name, Set<FaultKind> kinds) {

	Phase {
		kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
	}

	static Phase none() {
		return new Phase("no faults", Set.of());
	}

	static Phase of(FaultKind kind) {
		return new Phase(kind.description(), Set.of(kind));
	}

	static Phase mixed(Set<FaultKind> kinds) {
		return new Phase("all of them at once", kinds);
	}

	/**
	 * Whether two holds may overlap within their validity in this phase.
	 * @return {@code true} if a kind that allows it is injected
	 */
	boolean overlapsAllowed() {
		return this.kinds.stream().anyMatch(FaultKind::mayOverlap);
	}

	@Override
	public String toString() {
		return this.name + this.kinds.stream().map(Enum::name).collect(Collectors.joining(", ", " [", "]"));
	}

}
