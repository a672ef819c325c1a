package dev.redlock.aop;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.LockTemplate;
import dev.redlock.aop.CallSiteServices.Accounts;
import dev.redlock.aop.CallSiteServices.AsyncWork;
import dev.redlock.aop.CallSiteServices.CheckedFailures;
import dev.redlock.aop.CallSiteServices.Inner;
import dev.redlock.aop.CallSiteServices.Outer;
import dev.redlock.aop.CallSiteServices.Policies;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Reentrancy, multi-key locks, policies, conditions and asynchronous return types, on three real
 * Redis nodes.
 */
class CallSiteSemanticsTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withUserConfiguration(Beans.class)
		.withPropertyValues("redlock.restart-guard.enabled=false", "redlock.node-timeout=200ms");

	private ApplicationContextRunner runner() {
		return this.runner.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()));
	}

	static List<String> keysOnQuorum() {
		return redis.servers().keysOnMajority("redlock:*");
	}

	@Configuration(proxyBeanMethods = false)
	static class Beans {

		@Bean
		Inner inner() {
			return new Inner();
		}

		@Bean
		Outer outer(Inner inner) {
			return new Outer(inner);
		}

		@Bean
		Accounts accounts() {
			return new Accounts(CallSiteSemanticsTests::keysOnQuorum);
		}

		@Bean
		Policies policies() {
			return new Policies();
		}

		@Bean
		AsyncWork asyncWork() {
			return new AsyncWork();
		}

		@Bean
		CheckedFailures checkedFailures() {
			return new CheckedFailures();
		}

	}

	// reentrancy

	@Test
	void nestedCallOnTheSameKeyShouldNotWaitOnItself() {
		runner().run((context) -> {
			assertThat(context.getBean(Outer.class).nested("o-1")).isEqualTo("outer(inner:redlock:o-1)");
			assertThat(keysOnQuorum()).isEmpty();
		});
	}

	@Test
	void nestedTemplateCallShouldReuseTheOuterLockAndLeaveItsReleaseToTheOuterCall() {
		runner().run((context) -> {
			LockTemplate template = context.getBean(LockTemplate.class);
			String result = template.execute("job", Duration.ofSeconds(5), Duration.ZERO, (outer) -> {
				String inner = template.execute("job", Duration.ofSeconds(5), Duration.ZERO, (handle) -> {
					handle.close();
					return handle.key();
				});
				assertThat(outer.isValid()).as("closing the inner view does not release").isTrue();
				assertThat(keysOnQuorum()).containsExactly("redlock:job");
				return inner;
			});
			assertThat(result).isEqualTo("redlock:job");
			assertThat(keysOnQuorum()).isEmpty();
		});
	}

	@Test
	void handOffWithTheOwnerShouldStayReentrantAndWithoutItShouldNot() throws Exception {
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			runner().run((context) -> {
				Outer outer = context.getBean(Outer.class);
				assertThat(outer.handOff("o-2", executor, true)).isEqualTo("inner:redlock:o-2");
				assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
					.isThrownBy(() -> outer.handOff("o-3", executor, false))
					.withCauseInstanceOf(LockNotAcquiredException.class);
			});
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void handOffToAVirtualThreadShouldStayReentrantWhenTheJdkHasThem() throws Exception {
		ExecutorService virtualThreads = VirtualThreads.executor();
		org.junit.jupiter.api.Assumptions.assumeTrue(virtualThreads != null, "virtual threads need JDK 21+");
		try {
			runner().run((context) -> assertThat(context.getBean(Outer.class).handOff("o-4", virtualThreads, true))
				.isEqualTo("inner:redlock:o-4"));
		}
		finally {
			virtualThreads.shutdownNow();
		}
	}

	// multi-key

	@Test
	void transferShouldLockBothAccountsInOneStep() {
		runner().run((context) -> assertThat(context.getBean(Accounts.class).transfer("b", "a"))
			.containsExactly("redlock:account:a", "redlock:account:b"));
	}

	@Test
	void collectionKeyExpressionShouldLockEachElement() {
		runner().run((context) -> assertThat(context.getBean(Accounts.class).audit(List.of("x", "y", "z")))
			.containsExactly("redlock:account:x", "redlock:account:y", "redlock:account:z"));
	}

	@Test
	void transfersInOppositeDirectionsShouldNotDeadlock() {
		runner().run((context) -> {
			Accounts accounts = context.getBean(Accounts.class);
			ExecutorService executor = Executors.newFixedThreadPool(4);
			try {
				List<Future<?>> transfers = new ArrayList<>();
				for (int i = 0; i < 40; i++) {
					boolean forward = i % 2 == 0;
					transfers.add(executor.submit(() -> forward ? accounts.transfer("a", "b") : accounts.transfer("b", "a")));
				}
				for (Future<?> transfer : transfers) {
					transfer.get(30, TimeUnit.SECONDS);
				}
			}
			finally {
				executor.shutdownNow();
			}
			assertThat(accounts.transfers()).isEqualTo(40);
			assertThat(keysOnQuorum()).isEmpty();
		});
	}

	@Test
	void multiKeyLockShouldTakeAllKeysOrNone() {
		runner().run((context) -> {
			LockTemplate template = context.getBean(LockTemplate.class);
			try (LockHandle held = template.tryAcquire("account:b", Duration.ofSeconds(10), Duration.ZERO).orElseThrow()) {
				assertThatExceptionOfType(LockNotAcquiredException.class)
					.isThrownBy(() -> template.execute(LockRequest.of(List.of("account:a", "account:b"),
							Duration.ofSeconds(10), Duration.ZERO), (handle) -> null));
				// a node that got account:b only after the tryAcquire returned (on a quorum) may grant
				// both keys to the attempt; the failed attempt then releases them there
				await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
					for (RedisServerProcess server : redis.servers().all()) {
						assertThat(server.keys("redlock:account:a")).as("no partial lock on %s", server).isEmpty();
					}
				});
				assertThat(held.isValid()).isTrue();
			}
		});
	}

	// policies and condition

	@Test
	void skipPolicyShouldReturnNullOrEmptyWithoutRunning() {
		runner().run((context) -> {
			Policies policies = context.getBean(Policies.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			try (LockHandle held = template.tryAcquire("p-1", Duration.ofSeconds(10), Duration.ZERO).orElseThrow()) {
				assertThat(policies.skip("p-1")).isNull();
				assertThat(policies.skipOptional("p-1")).isEqualTo(Optional.empty());
				assertThat(policies.withFallback("p-1")).isEqualTo("busy p-1");
				assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(() -> policies.byDefault("p-1"));
			}
			assertThat(policies.calls()).isZero();
			assertThat(policies.skip("p-1")).isEqualTo("ran p-1");
		});
	}

	@Test
	void globalPolicyShouldApplyWhereTheAnnotationSaysNothing() {
		runner().withPropertyValues("redlock.on-not-acquired=SKIP").run((context) -> {
			Policies policies = context.getBean(Policies.class);
			try (LockHandle held = context.getBean(LockTemplate.class)
				.tryAcquire("p-2", Duration.ofSeconds(10), Duration.ZERO)
				.orElseThrow()) {
				assertThat(policies.byDefault("p-2")).isNull();
			}
		});
	}

	@Test
	void conditionShouldDecideWhetherToLock() {
		runner().run((context) -> {
			Policies policies = context.getBean(Policies.class);
			assertThat(policies.conditional("c-1", 500, () -> keysOnQuorum().contains("redlock:c-1"))).isTrue();
			assertThat(policies.conditional("c-1", 5, () -> !keysOnQuorum().isEmpty())).isFalse();
		});
	}

	@Test
	void checkedExceptionOfAFallbackShouldReachTheCallerAsItselfForEveryReturnKind() {
		runner().run((context) -> {
			CheckedFailures failures = context.getBean(CheckedFailures.class);
			try (LockHandle held = context.getBean(LockTemplate.class)
				.tryAcquire("cf-1", Duration.ofSeconds(10), Duration.ZERO)
				.orElseThrow()) {
				assertThatExceptionOfType(IOException.class).isThrownBy(() -> failures.direct("cf-1"))
					.withMessage("busy cf-1")
					.withNoCause();
				assertThatExceptionOfType(IOException.class).isThrownBy(() -> failures.future("cf-1"))
					.withMessage("busy future cf-1")
					.withNoCause();
				StepVerifier.create(failures.mono("cf-1"))
					.expectErrorSatisfies((error) -> assertThat(error).isExactlyInstanceOf(IOException.class)
						.hasMessage("busy mono cf-1"))
					.verify(Duration.ofSeconds(5));
				StepVerifier.create(failures.flux("cf-1"))
					.expectErrorSatisfies((error) -> assertThat(error).isExactlyInstanceOf(IOException.class)
						.hasMessage("busy flux cf-1"))
					.verify(Duration.ofSeconds(5));
			}
			assertThat(failures.direct("cf-1")).isEqualTo("ran cf-1");
		});
	}

	@Test
	void checkedExceptionOfAReactiveMethodItselfShouldReachTheCallerAsItself() {
		runner().run((context) -> assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> context.getBean(CheckedFailures.class).monoThatThrows("cf-2"))
			.withMessage("no mono for cf-2"));
	}

	@Test
	void fallbackThatDoesNotExistShouldFailNamingTheMethod() {
		LockOperationSource source = new LockOperationSource((value) -> value, Duration.ofSeconds(1), Duration.ZERO);
		assertThatIllegalStateException()
			.isThrownBy(() -> source.getOperation(BadFallback.class.getMethod("run", String.class), BadFallback.class))
			.withMessageContaining("fallback method 'nope'")
			.withMessageContaining("BadFallback");
	}

	static class BadFallback {

		@dev.redlock.DistributedLock(key = "#id", fallback = "nope")
		public String run(String id) {
			return id;
		}

	}

	// asynchronous return types

	@Test
	void futureShouldHoldTheLockUntilItCompletes() {
		runner().run((context) -> {
			AsyncWork work = context.getBean(AsyncWork.class);
			CompletableFuture<String> result = work.future("f-1");
			assertThat(keysOnQuorum()).containsExactly("redlock:f-1");
			assertThat(work.futureOrSkip("f-1").join()).as("second call skipped while held").isNull();
			work.pending().complete("done");
			assertThat(result.join()).isEqualTo("done");
			await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().isEmpty());
			assertThat(work.futureOrSkip("f-1").join()).isEqualTo("ran f-1");
		});
	}

	@Test
	void futureShouldReleaseOnFailureAndOnCancellation() {
		runner().run((context) -> {
			AsyncWork work = context.getBean(AsyncWork.class);
			CompletableFuture<String> failing = work.future("f-2");
			work.pending().completeExceptionally(new IllegalStateException("boom"));
			assertThatExceptionOfType(java.util.concurrent.CompletionException.class).isThrownBy(failing::join)
				.withCauseInstanceOf(IllegalStateException.class);
			await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().isEmpty());

			CompletableFuture<String> cancelled = work.future("f-3");
			cancelled.cancel(true);
			assertThatExceptionOfType(CancellationException.class).isThrownBy(cancelled::join);
			assertThat(work.pending()).isCancelled();
			await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().isEmpty());
		});
	}

	@Test
	void futureThatCannotBeLockedShouldFail() {
		runner().run((context) -> {
			AsyncWork work = context.getBean(AsyncWork.class);
			work.future("f-4");
			assertThatExceptionOfType(java.util.concurrent.CompletionException.class)
				.isThrownBy(() -> work.future("f-4").join())
				.withCauseInstanceOf(LockNotAcquiredException.class);
		});
	}

	@Test
	void monoShouldHoldTheLockFromSubscriptionToCompletion() {
		runner().run((context) -> {
			AsyncWork work = context.getBean(AsyncWork.class);
			Sinks.One<String> sink = Sinks.one();
			Mono<String> locked = work.mono("m-1", sink.asMono());
			assertThat(keysOnQuorum()).as("nothing locked before subscription").isEmpty();
			StepVerifier.create(locked)
				.then(() -> await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().contains("redlock:m-1")))
				.then(() -> StepVerifier.create(work.monoOrSkip("m-1")).verifyComplete())
				.then(() -> sink.tryEmitValue("done"))
				.expectNext("done")
				.verifyComplete();
			await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().isEmpty());
			StepVerifier.create(work.monoOrSkip("m-1")).expectNext("ran m-1").verifyComplete();
		});
	}

	@Test
	void monoShouldReleaseOnErrorAndCancellationAndFailWhenNotLocked() {
		runner().run((context) -> {
			AsyncWork work = context.getBean(AsyncWork.class);
			StepVerifier.create(work.mono("m-2", Mono.error(new IllegalStateException("boom"))))
				.expectError(IllegalStateException.class)
				.verify(Duration.ofSeconds(5));
			await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().isEmpty());

			StepVerifier.create(work.mono("m-3", Mono.never()))
				.then(() -> await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().contains("redlock:m-3")))
				.thenCancel()
				.verify(Duration.ofSeconds(5));
			await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().isEmpty());

			try (LockHandle held = context.getBean(LockTemplate.class)
				.tryAcquire("m-4", Duration.ofSeconds(10), Duration.ZERO)
				.orElseThrow()) {
				StepVerifier.create(work.mono("m-4", Mono.just("x")))
					.expectError(LockNotAcquiredException.class)
					.verify(Duration.ofSeconds(5));
			}
		});
	}

	@Test
	void fluxShouldHoldTheLockUntilItTerminates() {
		runner().run((context) -> {
			AsyncWork work = context.getBean(AsyncWork.class);
			Sinks.Many<Integer> sink = Sinks.many().unicast().onBackpressureBuffer();
			StepVerifier.create(work.flux("x-1", sink.asFlux()))
				.then(() -> sink.tryEmitNext(1))
				.expectNext(1)
				.then(() -> assertThat(keysOnQuorum()).containsExactly("redlock:x-1"))
				.then(() -> sink.tryEmitNext(2))
				.then(sink::tryEmitComplete)
				.expectNext(2)
				.verifyComplete();
			await().atMost(Duration.ofSeconds(2)).until(() -> keysOnQuorum().isEmpty());
			StepVerifier.create(work.flux("x-2", Flux.range(1, 3))).expectNext(1, 2, 3).verifyComplete();
		});
	}

}
