package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome;
import dev.redlock.core.HeldLock;
import dev.redlock.core.LockObserver;

/**
 * Reports the engine's work to Micrometer: acquisitions and releases as observations (timers, and
 * tracing spans where tracing is set up), and hold time, node failures and lost locks as meters.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><td>{@code redlock.acquire}</td><td>timer (observation); tags {@code lock}, {@code outcome}
 * = acquired | not_acquired | error</td></tr>
 * <tr><td>{@code redlock.release}</td><td>timer (observation); tag {@code lock}</td></tr>
 * <tr><td>{@code redlock.hold}</td><td>timer of how long locks were held; tag {@code lock}</td></tr>
 * <tr><td>{@code redlock.node.failures}</td><td>counter; tags {@code node} (host:port),
 * {@code status} = failed | timed_out</td></tr>
 * <tr><td>{@code redlock.locks.lost}</td><td>counter; tag {@code lock}</td></tr>
 * <tr><td>{@code redlock.locks.held}</td><td>gauge of locks held by this instance</td></tr>
 * <tr><td>{@code redlock.node.clock.jumps}</td><td>counter of node clocks seen to jump forward (or run
 * fast); tag {@code node} (host:port)</td></tr>
 * </table>
 */
public class MicrometerLockObserver implements LockObserver {

	private final ObservationRegistry observations;

	private final MeterRegistry meters;

	/**
	 * Creates the observer.
	 * @param observations where acquisitions and releases are observed
	 * @param meters where hold times, failures and lost locks are counted
	 */
	public MicrometerLockObserver(ObservationRegistry observations, MeterRegistry meters) {
		this.observations = observations;
		this.meters = meters;
	}

	@Override
	public LockHandle acquisition(LockRequest request, Supplier<LockHandle> acquisition) {
		Observation observation = Observation.createNotStarted("redlock.acquire", this.observations)
			.contextualName("redlock acquire " + request.name())
			.lowCardinalityKeyValue("lock", request.name())
			.highCardinalityKeyValue("key", request.key())
			.start();
		try (Observation.Scope scope = observation.openScope()) {
			LockHandle handle = acquisition.get();
			observation.lowCardinalityKeyValue("outcome", "acquired");
			return handle;
		}
		catch (LockNotAcquiredException ex) {
			observation.lowCardinalityKeyValue("outcome", "not_acquired");
			throw ex;
		}
		catch (RuntimeException | Error ex) {
			observation.lowCardinalityKeyValue("outcome", "error");
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	@Override
	public void release(HeldLock lock, Runnable release) {
		Timer.builder("redlock.hold")
			.description("How long locks were held")
			.tag("lock", lock.name())
			.register(this.meters)
			.record(lock.heldFor());
		Observation.createNotStarted("redlock.release", this.observations)
			.contextualName("redlock release " + lock.name())
			.lowCardinalityKeyValue("lock", lock.name())
			.highCardinalityKeyValue("key", lock.key())
			.observe(release);
	}

	@Override
	public void nodeFailed(NodeOutcome outcome) {
		Counter.builder("redlock.node.failures")
			.description("Node commands that failed or timed out during acquisitions")
			.tag("node", outcome.node())
			.tag("status", outcome.status().name().toLowerCase(java.util.Locale.ROOT))
			.register(this.meters)
			.increment();
	}

	@Override
	public void lockLost(HeldLock lock) {
		Counter.builder("redlock.locks.lost")
			.description("Locks lost while held")
			.tag("lock", lock.name())
			.register(this.meters)
			.increment();
	}

	@Override
	public void nodeClockJumped(String node, Duration jump) {
		Counter.builder("redlock.node.clock.jumps")
			.description("Node clocks seen to have jumped forward (or run fast) beyond the drift budget; each such "
					+ "node is held out of the quorum for the restart guard's hold-out")
			.tag("node", node)
			.register(this.meters)
			.increment();
	}

}
