package dev.redlock.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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

	/**
	 * A server that cannot bind its port prints why and ends; the end of its output must not pass
	 * for a start (it did while the process was still exiting: two servers of one fixture were
	 * then reported on one port).
	 */
	@Test
	void serverThatCannotBindItsPortShouldNotCountAsStarted() throws IOException {
		try (RedisServerProcess server = RedisServerProcess.start()) {
			server.kill();
			try (ServerSocket taken = new ServerSocket()) {
				taken.bind(new InetSocketAddress(RedisServerProcess.HOST, server.port()));
				for (int i = 0; i < 10; i++) {
					assertThatIllegalStateException().isThrownBy(server::restart)
						.withMessageContaining("did not start")
						.withMessageContaining("in use");
					assertThat(server.isRunning()).isFalse();
				}
			}
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
