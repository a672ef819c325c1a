package dev.redlock.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import dev.redlock.CurrentLock;
import dev.redlock.DistributedLock;
import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.NotAcquiredPolicy;
import dev.redlock.autoconfigure.ReadmeExamplesTests.Receipt;
import dev.redlock.autoconfigure.ReadmeExamplesTests.Refund;
import dev.redlock.core.Redlock;
import dev.redlock.docs.LockProbes;
import dev.redlock.test.RedisServersExtension;

import static dev.redlock.docs.LockProbes.elsewhere;
import static dev.redlock.docs.LockProbes.freeForOthers;
import static dev.redlock.docs.LockProbes.heldKey;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's quickstart as written (its blocks are the tagged regions of this file and
 * {@code docs/quickstart-nodes.yaml}; {@link DocumentationExamplesTests} checks that they match),
 * run with the quickstart's settings on the fixture's nodes in place of its example hosts, and
 * every other setting at its default (the restart guard on, its hold-out the lease time).
 */
class ReadmeExamplesTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	/** What the examples' methods saw: the keys they ran under, and the rebuild's checks. */
	static final Queue<String> seen = new ConcurrentLinkedQueue<>();

	record Receipt(String orderId, String key) {
	}

	record Order(String id) {
	}

	record Refund(Order order) {
	}

	/** The README's first example. */
	static class IntroService {

		// tag::intro[]
		@DistributedLock(key = "#orderId")
		public Receipt pay(String orderId) { /*...*/ return new Receipt(orderId, heldKey()); }   // runs on one instance at a time per order
		// end::intro[]

	}

	@BeforeEach
	void clear() {
		seen.clear();
	}

	@Test
	void quickstartShouldStartAndLockAsWrittenWithTheDefaultSettings() throws IOException {
		runner().run((context) -> {
			assertThat(context).hasNotFailed();
			LockTemplate lockTemplate = context.getBean(LockTemplate.class);
			assertThat(context.getBean(Redlock.class).restartGuardHoldOut()).isPresent();
			assertThat(context.getBean(IntroService.class).pay("o-1")).isEqualTo(new Receipt("o-1", "redlock:o-1"));
			PaymentService payments = context.getBean(PaymentService.class);
			assertThat(payments.pay("o-42")).isEqualTo(new Receipt("o-42", "redlock:o-42"));
			payments.refund(new Refund(new ReadmeExamplesTests.Order("o-7")));
			assertThat(seen).containsExactly("refund redlock:refunds:o-7 fenced");

			// another instance holds tonight's lock: this one skips, without an exception
			seen.clear();
			Optional<LockHandle> other = elsewhere(() -> lockTemplate.tryAcquire("nightly-report", Duration.ofSeconds(30),
					Duration.ZERO));
			assertThat(other).isPresent();
			payments.nightlyReport();
			assertThat(seen).isEmpty();
			other.get().close();
			payments.nightlyReport();
			assertThat(seen).containsExactly("nightly-report redlock:nightly-report");
			// held at least five minutes: a second run the same night is skipped
			payments.nightlyReport();
			assertThat(seen).hasSize(1);
		});
	}

	@Test
	void programmaticExampleShouldLockAsWritten() throws IOException {
		runner().run((context) -> {
			LockTemplate lockTemplate = context.getBean(LockTemplate.class);
			PaymentService payments = context.getBean(PaymentService.class);
			String orderId = "o-43";
			this.lockTemplate = lockTemplate;
			// tag::template[]
			Receipt receipt = lockTemplate.execute("order:" + orderId, (handle) -> payments.pay(orderId));

			Optional<LockHandle> lock = lockTemplate.tryAcquire("cache-rebuild", Duration.ofSeconds(30), Duration.ZERO);
			// renewed every ~10 s while held, however long the rebuild takes
			lock.ifPresent((handle) -> {
				try (handle) {
					rebuild(() -> handle.isValid());   // check before each irreversible step
				}
			});
			// end::template[]
			assertThat(receipt).isEqualTo(new Receipt("o-43", "redlock:o-43"));
			assertThat(lock).as("fresh nodes lock at once, with the guard at its default").isPresent();
			assertThat(seen).containsExactly("rebuild valid, held against others");
			assertThat(freeForOthers(lockTemplate, "cache-rebuild")).as("released after the rebuild").isTrue();
		});
	}

	private LockTemplate lockTemplate;

	private void rebuild(BooleanSupplier stillHeld) {
		seen.add("rebuild " + (stillHeld.getAsBoolean() ? "valid" : "invalid") + ", "
				+ (freeForOthers(this.lockTemplate, "cache-rebuild") ? "free for others" : "held against others"));
	}

	private ApplicationContextRunner runner() throws IOException {
		List<String> settings = new ArrayList<>();
		for (PropertySource<?> source : new YamlPropertySourceLoader().load("quickstart",
				new ClassPathResource("docs/quickstart-nodes.yaml"))) {
			for (String name : ((EnumerablePropertySource<?>) source).getPropertyNames()) {
				if (!name.startsWith("redlock.nodes")) {
					settings.add(name + "=" + source.getProperty(name));
				}
			}
		}
		assertThat(settings).containsExactlyInAnyOrder("redlock.lease-time=30s", "redlock.wait-time=3s");
		settings.add("redlock.nodes=" + String.join(",", redis.uris()));
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
			.withPropertyValues(settings.toArray(String[]::new))
			.withBean(IntroService.class)
			.withBean(PaymentService.class);
	}

}

/** README "4. Lock", as written there. */
// tag::lock[]
@Service
class PaymentService {

	@DistributedLock(key = "#orderId")                     // key: redlock:<orderId>
	public Receipt pay(String orderId) { /*...*/ return new Receipt(orderId, LockProbes.heldKey()); }

	@DistributedLock(name = "refunds", key = "#refund.order.id", leaseTime = "20s", waitTime = "0s", fencing = true)
	public void refund(Refund refund) { /*...*/ saw("refund", CurrentLock.handle().orElseThrow().fencingToken().isPresent()); }              // key: redlock:refunds:<order id>

	@Scheduled(cron = "0 0 2 * * *")                       // every instance fires; one runs, the others skip
	@DistributedLock(name = "nightly-report", waitTime = "0s", holdAtLeast = "5m", onNotAcquired = NotAcquiredPolicy.SKIP)
	public void nightlyReport() { /*...*/ saw("nightly-report", false); }                    // key: redlock:nightly-report
	// end::lock[]

	private static void saw(String what, boolean fenced) {
		ReadmeExamplesTests.seen.add(what + " " + LockProbes.heldKey() + (fenced ? " fenced" : ""));
	}

// tag::lock[]
}
// end::lock[]
