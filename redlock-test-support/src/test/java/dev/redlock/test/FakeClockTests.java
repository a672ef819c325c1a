package dev.redlock.test;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link FakeClock} moving the wall clock of the embedded Redis build, and the
 * {@link RedisServerBuilder} options it needs.
 */
class FakeClockTests {

	private static final String NO_FAKETIME = "libfaketime is not installed (package faketime)";

	@Test
	void jumpShouldExpireEveryKeyWithLessTimeToLiveAtOnce() {
		RequiredOnCi.assume(FakeClock.library().isPresent(), NO_FAKETIME);
		try (FakeClock clock = FakeClock.create(FakeClock.library().get()); RedisServerProcess server = onClock(clock)) {
			server.call("SET", "short", "1", "PX", "5000");
			server.call("SET", "long", "1", "PX", "60000");
			clock.advance(Duration.ofSeconds(10));
			assertThat(server.call("GET", "short")).isNull();
			assertThat((Long) server.call("PTTL", "long")).isBetween(45_000L, 50_000L);
			assertThat(clock.offset()).isEqualTo(Duration.ofSeconds(10));
			long serverSeconds = Long.parseLong((String) ((List<?>) server.call("TIME")).get(0));
			assertThat(serverSeconds - System.currentTimeMillis() / 1000).isBetween(9L, 11L);
		}
	}

	@Test
	void smallStepsShouldMakeTheClockRunFast() {
		RequiredOnCi.assume(FakeClock.library().isPresent(), NO_FAKETIME);
		try (FakeClock clock = FakeClock.create(FakeClock.library().get()); RedisServerProcess server = onClock(clock)) {
			server.call("SET", "k", "1", "PX", "10000");
			for (int step = 0; step < 40; step++) {
				clock.advance(Duration.ofMillis(200));
			}
			assertThat((Long) server.call("PTTL", "k")).isBetween(1L, 2_000L);
		}
	}

	private static RedisServerProcess onClock(FakeClock clock) {
		return RedisServerProcess.builder().binary(RedisBinary.embedded()).environment(clock.environment()).start();
	}

	@Test
	void clockShouldOnlyMoveForward() {
		RequiredOnCi.assume(FakeClock.library().isPresent(), NO_FAKETIME);
		try (FakeClock clock = FakeClock.create(FakeClock.library().get())) {
			assertThatIllegalArgumentException().isThrownBy(() -> clock.advance(Duration.ofMillis(-1)))
				.withMessageContaining("FakeClock step must be positive");
			assertThatIllegalArgumentException().isThrownBy(() -> clock.advance(Duration.ZERO));
		}
	}

	@Test
	void serverShouldAlsoListenOnAFurtherAddress() throws Exception {
		try (RedisServerProcess server = RedisServerProcess.builder().alsoBind("127.0.0.2").start()) {
			assertThat(RespConnection.call("127.0.0.2", server.port(), 2000, null, "PING")).isEqualTo("PONG");
			server.restart();
			assertThat(RespConnection.call("127.0.0.2", server.port(), 2000, null, "PING")).isEqualTo("PONG");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> RedisServerProcess.builder().alsoBind(" "))
			.withMessage("alsoBind address must not be blank");
	}

}
