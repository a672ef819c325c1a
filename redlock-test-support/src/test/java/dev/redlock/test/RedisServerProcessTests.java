package dev.redlock.test;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Pausing a real {@code redis-server}: it answers nothing until the sleep is over, and a refused
 * {@code DEBUG SLEEP} is an error, never a pause that silently did not happen.
 */
class RedisServerProcessTests {

	@Test
	void pauseShouldFreezeTheServerUntilTheSleepIsOver() {
		try (RedisServerProcess server = RedisServerProcess.start()) {
			long start = System.nanoTime();
			server.pause(Duration.ofMillis(600));
			assertThat(server.call("PING")).isEqualTo("PONG");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(540));
		}
	}

	@Test
	void refusedSleepShouldFail() {
		try (RedisServerProcess server = RedisServerProcess.start("--rename-command", "DEBUG", "")) {
			assertThatIllegalStateException().isThrownBy(() -> server.pause(Duration.ofMillis(300)))
				.withMessageContaining("refused DEBUG SLEEP");
		}
	}

}
