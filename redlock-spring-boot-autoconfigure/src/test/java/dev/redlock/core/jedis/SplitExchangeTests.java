package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.core.ArmableNode;
import dev.redlock.core.Exchange;
import dev.redlock.core.NodeExchange;
import dev.redlock.core.NodeFailure;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A standalone node's acquisition and release can be sent now and answered later
 * ({@link NodeExchange}): the answer is
 * the blocking method's, waiting for it reads nothing (a connection whose answer was waited for
 * in vain still reads it correctly later), and a node with no idle connection declines, so that
 * no connection is ever made on the caller's thread.
 */
class SplitExchangeTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(1);

	private JedisLockNode node;

	private NodeExchange exchange;

	@BeforeEach
	void connect() {
		this.node = new JedisLockNode(RedisNodeAddress.parse("n", redis.uris().get(0)), Duration.ofSeconds(2), 2);
		// a blocking call makes the pool's first connection; from then on it is idle
		assertThat(this.node.tryAcquire(List.of("test:warm"), "w", 10_000)).isTrue();
		this.exchange = this.node.capability(NodeExchange.class).orElseThrow();
		// the first exchange asked for starts the node's self-check; until it has passed, none is started
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			Exchange warm = this.exchange.startTryAcquire("test:warm-exchange", "w", 10_000);
			return warm != null && warm.finish();
		});
	}

	@AfterEach
	void close() {
		this.node.close();
	}

	@Test
	void startedAcquisitionAndReleaseShouldAnswerAsTheBlockingOnesDo() {
		Exchange first = this.exchange.startTryAcquire("test:k", "t1", 10_000);
		assertThat(first).isNotNull();
		assertThat(first.awaitAnswer(Duration.ofSeconds(2).toNanos())).isTrue();
		assertThat(first.isAnswered()).isTrue();
		assertThat(first.finish()).isTrue();
		assertThat(redis.get(0).call("GET", "test:k")).isEqualTo("t1");
		assertThat((Long) redis.get(0).call("PTTL", "test:k")).isBetween(1L, 10_000L);

		assertThat(this.exchange.startTryAcquire("test:k", "t2", 10_000).finish()).as("held by t1").isFalse();
		assertThat(this.exchange.startReleaseHeld("test:k", "t2", null).finish()).as("not t2's").isFalse();
		assertThat(redis.get(0).call("GET", "test:k")).isEqualTo("t1");
		assertThat(this.exchange.startReleaseHeld("test:k", "t1", "test:__released__").finish()).isTrue();
		assertThat(redis.get(0).call("EXISTS", "test:k")).isEqualTo(0L);
	}

	@Test
	void answerWaitedForInVainShouldStillBeReadWhole() {
		redis.get(0).pause(Duration.ofMillis(600));
		Exchange during = this.exchange.startTryAcquire("test:paused", "t1", 10_000);
		assertThat(during).isNotNull();
		assertThat(during.awaitAnswer(Duration.ofMillis(50).toNanos())).as("the node sleeps").isFalse();
		assertThat(during.isAnswered()).isFalse();
		assertThat(during.awaitAnswer(Duration.ofSeconds(3).toNanos())).isTrue();
		assertThat(during.finish()).isTrue();
		assertThat(redis.get(0).call("GET", "test:paused")).isEqualTo("t1");
		// the connection went back whole: the next command on it reads its own answer
		assertThat(this.exchange.startReleaseHeld("test:paused", "t1", null).finish()).isTrue();
		assertThat(this.node.tryAcquire(List.of("test:paused"), "t2", 10_000)).isTrue();
	}

	@Test
	void nodeWithoutIdleConnectionShouldDecline() {
		Exchange first = this.exchange.startTryAcquire("test:a", "t", 10_000);
		// the pool (2) has made one connection; the second start would have to connect
		Exchange second = this.exchange.startTryAcquire("test:b", "t", 10_000);
		assertThat(second).isNull();
		assertThat(first.finish()).isTrue();
		assertThat(this.exchange.startTryAcquire("test:b", "t", 10_000)).as("idle again").isNotNull().satisfies(
				(exchange) -> assertThat(exchange.finish()).isTrue());
	}

	@Test
	void releaseShouldFallBackToTheScriptSourceWhenTheNodeForgotIt() {
		assertThat(this.exchange.startTryAcquire("test:k", "t1", 10_000).finish()).isTrue();
		redis.get(0).call("SCRIPT", "FLUSH");
		assertThat(this.exchange.startReleaseHeld("test:k", "t1", "test:__released__").finish()).isTrue();
		assertThat(redis.get(0).call("EXISTS", "test:k")).isEqualTo(0L);
	}

	@Test
	void nodeThatMustBeArmedShouldRefuseUntilArmed() {
		ArmableNode arming = this.node.capability(ArmableNode.class).orElseThrow();
		arming.requireArming(new ArmableNode.Keys("test:__armed__", "test:__arming__", "test:__registry__:"));
		Exchange refused = this.exchange.startTryAcquire("test:k", "t1", 10_000);
		assertThatExceptionOfType(NodeFailure.class).isThrownBy(refused::finish)
			.withMessageContaining("not armed")
			.satisfies((failure) -> assertThat(failure.kind()).isEqualTo(NodeFailure.Kind.NOT_ARMED));
		assertThat(arming.arm(arming.beginArming(), "r1")).isTrue();
		assertThat(this.exchange.startTryAcquire("test:k", "t1", 10_000).finish()).isTrue();
		assertThat(this.exchange.startTryAcquire("test:k", "t2", 10_000).finish()).isFalse();
	}

}
