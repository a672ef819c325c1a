package dev.redlock.autoconfigure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.core.Redlock;

/**
 * {@code redlock.enabled=false}, decided when the application starts rather than when it is
 * built (so it works the same in Spring AOT mode): every bean stays, the engine takes no lock, and
 * one warning says so. The switch reaches everything that locks through the engine: the ShedLock
 * {@code LockProvider} and the Spring Integration {@code LockRegistry} of this starter grant
 * every lock too, so the warning names them. Needs neither nodes nor Jedis.
 */
final class DisabledLocking {

	/** What health and the endpoint say about a disabled engine. */
	static final String DETAIL = "disabled (redlock.enabled=false): @DistributedLock methods, LockTemplate "
			+ "callbacks, ShedLock jobs and Spring Integration locks run without a lock";

	private static final Logger logger = LoggerFactory.getLogger(DisabledLocking.class);

	private DisabledLocking() {
	}

	/**
	 * The engine for {@code redlock.enabled=false}.
	 * @param properties the properties, whose durations and key prefix still apply
	 * @return an engine that takes no locks
	 */
	static Redlock engine(RedlockProperties properties) {
		Redlock engine = Redlock.disabled(EngineSettings.of(properties));
		logger.warn("Redlock locking is {}: there is no mutual exclusion between callers or instances. "
				+ "This also switches off the exclusion of the starter's ShedLock LockProvider (every instance runs "
				+ "each @SchedulerLock job at every trigger) and of its Spring Integration LockRegistry (every "
				+ "instance obtains every lock and wins every leader election). "
				+ "Remove redlock.enabled=false to lock again.", DETAIL);
		return engine;
	}

}
