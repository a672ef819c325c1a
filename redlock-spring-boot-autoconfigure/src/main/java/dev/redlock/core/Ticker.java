package dev.redlock.core;

/**
 * The engine's monotonic clock, {@link System#nanoTime()} unless a test gives a fake one.
 */
@FunctionalInterface
interface Ticker {

	/** The system's monotonic clock. */
	Ticker SYSTEM = System::nanoTime;

	/**
	 * The time now, in nanoseconds, comparable only with other readings of the same ticker.
	 * @return the time
	 */
	long nanoTime();

}
