package dev.redlock.sample.demo;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import dev.redlock.LockNotAcquiredException;
import dev.redlock.sample.orders.PaymentGateway;
import dev.redlock.sample.orders.PaymentLedger;

/**
 * Lets every thread of every simulated instance pay the same orders at the same time, in the
 * same order, against one shared {@link PaymentLedger}, and counts what happened.
 *
 * <p>Each attempt takes the order's lock with a zero wait time: the lock is either free, or
 * another instance is paying the order and the attempt is refused. Contenders can also refuse each
 * other (each got some nodes, none a quorum), so an order still unpaid after a pass is tried again
 * after a short random pause, at most {@value #MAX_PASSES} passes, and never past the phase
 * timeout.
 */
final class PaymentRace {

	static final int MAX_PASSES = 10;

	private static final long MAX_PAUSE_NANOS = Duration.ofMillis(20).toNanos();

	private final List<SimulatedInstance> instances;

	private final DemoProperties properties;

	private final String runId;

	private final AtomicInteger phaseCount = new AtomicInteger();

	PaymentRace(List<SimulatedInstance> instances, DemoProperties properties, String runId) {
		this.instances = List.copyOf(instances);
		this.properties = properties;
		this.runId = runId;
	}

	/**
	 * Runs one phase on fresh orders and a fresh ledger.
	 * @param phase the phase's name, for the report
	 * @param locked whether to take the order's lock around each payment; {@code false} runs the
	 * control experiment that shows what happens without one
	 * @return the measurements
	 */
	RoundResult run(String phase, boolean locked) {
		int phaseNumber = this.phaseCount.incrementAndGet();
		List<String> orders = IntStream.rangeClosed(1, this.properties.ordersPerPhase())
			.mapToObj((i) -> this.runId + "-p" + phaseNumber + "-order-" + i)
			.toList();
		PaymentLedger ledger = new PaymentLedger(PaymentGateway.simulated(this.properties.gatewayLatency()));
		Counters counters = new Counters();
		int nodesUp = this.instances.get(0).nodesUsable();
		long deadline = System.nanoTime() + this.properties.phaseTimeout().toNanos();
		int threads = this.instances.size() * this.properties.threadsPerInstance();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		try {
			for (SimulatedInstance instance : this.instances) {
				for (int t = 0; t < this.properties.threadsPerInstance(); t++) {
					pool.execute(() -> {
						awaitQuietly(start);
						payAll(instance, ledger, orders, locked, deadline, counters);
					});
				}
			}
			start.countDown();
		}
		finally {
			pool.shutdown();
		}
		awaitTermination(pool, this.properties.phaseTimeout().plusSeconds(5));
		int paid = (int) orders.stream().filter((order) -> ledger.activePayment(order).isPresent()).count();
		return new RoundResult(phase, locked, nodesUp, this.instances.get(0).nodeCount(),
				counters.attempts.intValue(), counters.acquired.intValue(), counters.refused.intValue(), paid,
				orders.size(), ledger.doublePayments(),
				counters.acquireNanos.stream().mapToLong(Long::longValue).toArray());
	}

	private void payAll(SimulatedInstance instance, PaymentLedger ledger, List<String> orders, boolean locked,
			long deadline, Counters counters) {
		for (int pass = 0; pass < MAX_PASSES; pass++) {
			boolean allPaid = true;
			for (String order : orders) {
				if (System.nanoTime() - deadline > 0) {
					return;
				}
				if (ledger.activePayment(order).isPresent()) {
					continue;
				}
				allPaid = false;
				counters.attempts.increment();
				if (locked) {
					payLocked(instance, ledger, order, counters);
				}
				else {
					ledger.payOnce(order, instance.name());
				}
			}
			if (allPaid) {
				return;
			}
			LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(MAX_PAUSE_NANOS));
		}
	}

	private void payLocked(SimulatedInstance instance, PaymentLedger ledger, String order, Counters counters) {
		long start = System.nanoTime();
		try {
			instance.lockTemplate().execute("demo-orders:" + order, instance.leaseTime(), Duration.ZERO, (handle) -> {
				counters.acquireNanos.add(System.nanoTime() - start);
				counters.acquired.increment();
				return ledger.payOnce(order, instance.name());
			});
		}
		catch (LockNotAcquiredException ex) {
			counters.refused.increment();
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void awaitTermination(ExecutorService pool, Duration timeout) {
		try {
			if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				pool.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			pool.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The tallies of one phase, shared by its threads.
	 */
	private static final class Counters {

		final LongAdder attempts = new LongAdder();

		final LongAdder acquired = new LongAdder();

		final LongAdder refused = new LongAdder();

		final Queue<Long> acquireNanos = new ConcurrentLinkedQueue<>();

	}

}
