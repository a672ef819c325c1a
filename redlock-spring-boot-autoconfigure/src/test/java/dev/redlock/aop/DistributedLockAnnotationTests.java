package dev.redlock.aop;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.LockTemplate;
import dev.redlock.aop.TestServices.Customer;
import dev.redlock.aop.TestServices.KeyFactory;
import dev.redlock.aop.TestServices.Order;
import dev.redlock.aop.TestServices.OrderService;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @DistributedLock} through the auto-configured advisor, on three real Redis nodes.
 */
class DistributedLockAnnotationTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withUserConfiguration(Services.class)
		.withPropertyValues("redlock.node-timeout=500ms", "redlock.wait-time=2s", "redlock.restart-guard.enabled=false");

	private ApplicationContextRunner runner() {
		return this.runner.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()));
	}

	/** The lock keys on a quorum of nodes, as the method sees them while it runs. */
	static List<String> keysOnQuorum() {
		return redis.servers().keysOnMajority("redlock:*");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class Services {

		@Bean
		OrderService orderService() {
			return new OrderService(DistributedLockAnnotationTests::keysOnQuorum);
		}

		@Bean
		KeyFactory keyFactory() {
			return new KeyFactory();
		}

		@Bean
		RecordingTransactionManager transactionManager() {
			return new RecordingTransactionManager(DistributedLockAnnotationTests::keysOnQuorum);
		}

	}

	@Test
	void keyByParameterNameShouldLockWhileTheMethodRuns() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			assertThat(AopUtils.isAopProxy(service)).isTrue();
			assertThat(service.byName("o-1")).containsExactly("redlock:o-1");
			assertThat(keysOnQuorum()).isEmpty();
		});
	}

	@Test
	void keyByPositionShouldSupportPAndAAliases() {
		runner().run((context) -> assertThat(context.getBean(OrderService.class).byPosition("o-2", 3))
			.containsExactly("redlock:o-2-3"));
	}

	@Test
	void keyByNestedPropertyShouldBePrefixedWithTheName() {
		runner().run((context) -> assertThat(
				context.getBean(OrderService.class).byNestedProperty(new Order("o-3", new Customer("c-7"))))
			.containsExactly("redlock:customers:c-7"));
	}

	@Test
	void keyWithABeanReferenceShouldCallTheBean() {
		runner().run((context) -> assertThat(context.getBean(OrderService.class).byBean("o-4"))
			.containsExactly("redlock:bean-o-4"));
	}

	@Test
	void keyShouldReachTheRootObject() {
		runner().run((context) -> assertThat(context.getBean(OrderService.class).byRoot("o-14"))
			.containsExactly("redlock:byRoot:o-14"));
	}

	@Test
	void nameWithoutKeyShouldLockTheName() {
		runner().run((context) -> assertThat(context.getBean(OrderService.class).byNameOnly())
			.containsExactly("redlock:nightly-report"));
	}

	@Test
	void annotationWithoutKeyOrNameShouldLockTheMethod() {
		runner().run((context) -> assertThat(context.getBean(OrderService.class).byMethod())
			.containsExactly("redlock:OrderService.byMethod"));
	}

	@Test
	void composedAnnotationShouldWorkAsAMetaAnnotation() {
		runner().run((context) -> assertThat(context.getBean(OrderService.class).byMetaAnnotation("o-5"))
			.containsExactly("redlock:orders:o-5"));
	}

	@Test
	void leaseTimeShouldResolvePlaceholders() {
		runner().withPropertyValues("test.lease=45s").run((context) -> {
			// the lock returns on a quorum: read the nodes that have the key (a node may still be on its way)
			Long pttl = context.getBean(OrderService.class)
				.withPlaceholderLease("o-6", () -> redis.servers().all().stream()
					.mapToLong((server) -> (Long) server.call("PTTL", "redlock:o-6"))
					.max()
					.orElseThrow());
			assertThat(pttl).isBetween(40_000L, 45_000L);
		});
	}

	@Test
	void nameAndWaitTimeShouldResolvePlaceholders() {
		runner().withPropertyValues("test.lock-name=invoices", "test.wait=3s").run((context) -> {
			LockTemplate template = context.getBean(LockTemplate.class);
			// held by another owner for 300 ms: the method waits for it (3 s), then locks under its name
			try (LockHandle expiring = template
				.acquire(LockRequest.of("invoices:o-20", Duration.ofMillis(300), Duration.ZERO).withAutoRenew(false))) {
				assertThat(context.getBean(OrderService.class).withPlaceholderNameAndWait("o-20"))
					.containsExactly("redlock:invoices:o-20");
				assertThat(expiring.isValid()).isFalse();
			}
		});
		runner().run((context) -> {
			LockTemplate template = context.getBean(LockTemplate.class);
			try (LockHandle held = template.acquire(LockRequest.of("fallback:o-21", Duration.ofSeconds(10), Duration.ZERO))) {
				assertThatExceptionOfType(LockNotAcquiredException.class).as("the default wait time, 0s: one attempt")
					.isThrownBy(() -> context.getBean(OrderService.class).withPlaceholderNameAndWait("o-21"))
					.satisfies((ex) -> assertThat(ex.getAttempts()).isOne());
				assertThat(held.isValid()).isTrue();
			}
		});
	}

	@Test
	void selfInvocationShouldTakeNoLock() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			assertThat(service.callsItself("o-22")).as("this.byName(...) bypasses the proxy").isEmpty();
			assertThat(service.byName("o-22")).as("through the proxy").containsExactly("redlock:o-22");
		});
	}

	@Test
	void contendedLockShouldThrowAndNotRunTheMethod() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			try (LockHandle held = template.tryAcquire("o-7", Duration.ofSeconds(10), Duration.ZERO).orElseThrow()) {
				assertThatExceptionOfType(LockNotAcquiredException.class)
					.isThrownBy(() -> service.withPlaceholderLease("o-7", () -> 0L))
					.satisfies((ex) -> assertThat(ex.getKey()).isEqualTo("redlock:o-7"));
				assertThat(service.calls()).isZero();
				assertThat(held.isValid()).isTrue();
			}
		});
	}

	@Test
	void checkedExceptionShouldPropagateUnchangedAndTheLockBeReleased() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			assertThatIOException().isThrownBy(() -> service.failsWithChecked("o-8"))
				.withMessage("disk full for o-8")
				.withNoCause();
			assertThat(keysOnQuorum()).isEmpty();
			assertThatIOException().isThrownBy(() -> service.failsWithChecked("o-8"));
			assertThat(service.calls()).isEqualTo(2);
		});
	}

	@Test
	void uncheckedExceptionShouldPropagateUnchangedAndTheLockBeReleased() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			assertThatIllegalStateException().isThrownBy(() -> service.failsWithUnchecked("o-9"))
				.withMessage("card declined for o-9");
			assertThat(keysOnQuorum()).isEmpty();
		});
	}

	@Test
	void nullKeyShouldFailBeforeAnyRedisCall() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			long commandsBefore = totalCommands();
			assertThatIllegalArgumentException().isThrownBy(() -> service.nullableKey(null))
				.withMessageContaining("OrderService.nullableKey(String)")
				.withMessageContaining("'#orderId' evaluated to null");
			// the only commands since the first reading are that reading's own INFO, one per node
			assertThat(totalCommands()).isEqualTo(commandsBefore + redis.servers().size());
			assertThat(service.calls()).isZero();
		});
	}

	@Test
	void blankKeyShouldFailBeforeAnyRedisCall() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			assertThatIllegalArgumentException().isThrownBy(() -> service.nullableKey("  "))
				.withMessageContaining("'#orderId' evaluated to a blank string");
			assertThat(service.calls()).isZero();
		});
	}

	@Test
	void keyThatCannotBeEvaluatedShouldFailNamingMethodAndExpression() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			assertThatIllegalArgumentException().isThrownBy(() -> service.failingKey("o-11"))
				.withMessageContaining("OrderService.failingKey(String)")
				.withMessageContaining("'#orderId.missing' cannot be evaluated");
			assertThat(service.calls()).isZero();
		});
	}

	@Test
	void lockShouldBeTakenBeforeTheTransactionBeginsAndReleasedAfterItCommits() {
		runner().run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			RecordingTransactionManager transactions = context.getBean(RecordingTransactionManager.class);
			assertThat(service.transactional("o-12")).containsExactly("redlock:o-12");
			assertThat(transactions.events).containsExactly("begin [redlock:o-12]", "commit [redlock:o-12]");
			assertThat(keysOnQuorum()).isEmpty();
		});
	}

	@Test
	void lowerTransactionOrderShouldNestTheTransactionOutsideTheLockWhenConfigured() {
		runner().withPropertyValues("redlock.advisor-order=" + Integer.MAX_VALUE).run((context) -> {
			OrderService service = context.getBean(OrderService.class);
			RecordingTransactionManager transactions = context.getBean(RecordingTransactionManager.class);
			assertThat(service.transactional("o-13")).containsExactly("redlock:o-13");
			assertThat(transactions.events).containsExactly("begin []", "commit []");
		});
	}

	@Test
	void methodWithoutTheAnnotationShouldNotLock() {
		runner().run((context) -> assertThat(context.getBean(OrderService.class).notAnnotated()).isEmpty());
	}

	private static long totalCommands() {
		long total = 0;
		for (RedisServerProcess server : redis.servers().all()) {
			String info = (String) server.call("INFO", "stats");
			for (String line : info.split("\r\n")) {
				if (line.startsWith("total_commands_processed:")) {
					total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
				}
			}
		}
		return total;
	}

	/** Records whether the lock key exists in Redis when a transaction begins and ends. */
	static class RecordingTransactionManager extends AbstractPlatformTransactionManager {

		private final Supplier<List<String>> keys;

		final List<String> events = new CopyOnWriteArrayList<>();

		RecordingTransactionManager(Supplier<List<String>> keys) {
			this.keys = keys;
		}

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
			this.events.add("begin " + this.keys.get());
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			this.events.add("commit " + this.keys.get());
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
			this.events.add("rollback " + this.keys.get());
		}

	}

}
