package dev.redlock.faults;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The knobs of a run, as system properties ({@code -Dfaults.seed=…}; Surefire passes Maven's
 * {@code -D} properties on) or, as a fallback, environment variables ({@code FAULTS_SEED}):
 * <ul>
 * <li>{@code faults.seed}: the seed of every random choice, printed; {@value #DEFAULT_SEED} by
 * default</li>
 * <li>{@code faults.phaseSeconds}: how long each phase injects faults; 10 by default</li>
 * <li>{@code faults.acquisitions}: run rounds of all phases until this many locks were granted;
 * without it, one round (the CI run)</li>
 * <li>{@code faults.maxMinutes}: stop starting rounds after this long; 90 by default</li>
 * <li>{@code faults.workers}: lock-taking threads per client JVM; 6 by default</li>
 * <li>{@code faults.keys}: lock keys the clients share; 12 by default</li>
 * <li>{@code faults.phases}: which phases run, a comma-separated list of {@link FaultKind} names
 * (the phase of that kind alone), {@code none} and {@code mixed} (all kinds at once), such as
 * {@code CLOCK,mixed} for the two phases with clock faults; every phase by default</li>
 * <li>{@code faults.sabotage}: protections to switch off, a comma-separated list of {@link Sabotage}
 * names, for a negative control run by hand; none by default</li>
 * </ul>
 *
 * @param seed the seed
 * @param phase how long a phase injects faults
 * @param acquisitions the acquisitions to reach, or 0 for one round
 * @param maxTime the longest the rounds go on
 * @param workers the threads per client
 * @param keys the shared keys
 * @param phases the phases to run (kind names, {@code none}, {@code mixed}), or empty for all
 * @param sabotage the protections switched off (negative controls), or empty
 */
record FaultParameters(long seed, Duration phase, long acquisitions, Duration maxTime, int workers, int keys,
		Set<String> phases, Set<Sabotage> sabotage) {

	static final long DEFAULT_SEED = 20250701L;

	static FaultParameters fromEnvironment() {
		String seed = parameter("faults.seed");
		String phase = parameter("faults.phaseSeconds");
		String acquisitions = parameter("faults.acquisitions");
		String maxMinutes = parameter("faults.maxMinutes");
		String workers = parameter("faults.workers");
		String keys = parameter("faults.keys");
		String phases = parameter("faults.phases");
		String sabotage = parameter("faults.sabotage");
		return new FaultParameters((seed != null) ? Long.parseLong(seed) : DEFAULT_SEED,
				Duration.ofMillis((long) (1000 * ((phase != null) ? Double.parseDouble(phase) : 10))),
				(acquisitions != null) ? Long.parseLong(acquisitions) : 0,
				Duration.ofSeconds((long) (60 * ((maxMinutes != null) ? Double.parseDouble(maxMinutes) : 90))),
				(workers != null) ? Integer.parseInt(workers) : 6, (keys != null) ? Integer.parseInt(keys) : 12,
				(phases != null) ? phases(phases) : Set.of(), (sabotage != null) ? sabotage(sabotage) : Set.of());
	}

	/**
	 * A negative control: one round of the given phases, with protections switched off.
	 * @param phaseLength how long each phase injects faults
	 * @param sabotage the protections to switch off
	 * @param phases the phases to run
	 * @return the parameters
	 */
	FaultParameters negativeControl(Duration phaseLength, Set<Sabotage> sabotage, String... phases) {
		return new FaultParameters(this.seed, phaseLength, 0, this.maxTime, this.workers, this.keys,
				phases(String.join(",", phases)), Set.copyOf(sabotage));
	}

	boolean sabotaged(Sabotage protection) {
		return this.sabotage.contains(protection);
	}

	private static Set<Sabotage> sabotage(String list) {
		Set<Sabotage> sabotage = EnumSet.noneOf(Sabotage.class);
		for (String name : list.split(",")) {
			try {
				sabotage.add(Sabotage.valueOf(name.trim()));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("faults.sabotage: unknown protection '" + name.trim() + "'; use "
						+ Arrays.toString(Sabotage.values()), ex);
			}
		}
		return sabotage;
	}

	private static Set<String> phases(String list) {
		Set<String> phases = new LinkedHashSet<>();
		for (String name : list.split(",")) {
			String phase = name.trim();
			boolean known = phase.equals("none") || phase.equals("mixed")
					|| Arrays.stream(FaultKind.values()).anyMatch((kind) -> kind.name().equals(phase));
			if (!known) {
				throw new IllegalArgumentException("faults.phases: unknown phase '" + phase + "'; use none, mixed or "
						+ Arrays.toString(FaultKind.values()));
			}
			phases.add(phase);
		}
		return phases;
	}

	/**
	 * Whether a phase runs.
	 * @param name a {@link FaultKind} name, {@code none} or {@code mixed}
	 * @return {@code true} if it was chosen, or no phase was named
	 */
	boolean runs(String name) {
		return this.phases.isEmpty() || this.phases.contains(name);
	}

	private static String parameter(String property) {
		String value = System.getProperty(property);
		if (value == null || value.isBlank()) {
			value = System.getenv(property.replace('.', '_').replaceAll("([a-z])([A-Z])", "$1_$2")
				.toUpperCase(Locale.ROOT));
		}
		return (value == null || value.isBlank()) ? null : value.trim();
	}

}
