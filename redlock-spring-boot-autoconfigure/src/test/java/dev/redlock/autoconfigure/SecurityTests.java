package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.LockTemplate;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nodes that need credentials: an ACL user with only the permissions docs/operations.md lists can do
 * everything the starter does, and wrong credentials stop the startup without showing them.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityTests {

	/** The least-privilege ACL rules docs/operations.md ("Credentials, ACL and TLS") documents for the lock user. */
	static final List<String> LOCK_USER_RULES = List.of("on", ">locker-Pa55", "~redlock:*", "resetchannels", "&redlock:*", "-@all",
			"+set", "+get", "+mget", "+del", "+exists", "+pexpire", "+eval", "+evalsha", "+scan", "+publish", "+subscribe", "+unsubscribe", "+ping", "+info",
			"+time", "+client|setname");

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3, args());

	private static String[] args() {
		List<String> args = new ArrayList<>(List.of("--requirepass", "admin-Pa55", "--user", "locker"));
		args.addAll(LOCK_USER_RULES);
		return args.toArray(String[]::new);
	}

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class, RedlockHealthAutoConfiguration.class))
		.withPropertyValues("redlock.restart-guard.enabled=true", "redlock.restart-guard.hold-out=1s",
				"redlock.lease-time=1s", "redlock.node-timeout=300ms");

	private static String nodes(String user, String password) {
		return String.join(",", redis.uris().stream().map((uri) -> uri.replace("redis://", "redis://" + user + ":" + password + "@")).toList());
	}

	@Test
	void leastPrivilegeAclUserShouldDoEverythingTheStarterDoes() {
		for (int i = 0; i < 3; i++) {
			// other tests may have left denials of their own users
			redis.get(i).call("ACL", "LOG", "RESET");
		}
		this.runner.withPropertyValues("redlock.nodes=" + nodes("locker", "locker-Pa55")).run((context) -> {
			assertThat(context).hasNotFailed();
			RedlockHealthIndicator health = context.getBean(RedlockHealthIndicator.class);
			await().atMost(Duration.ofSeconds(5))
				.until(() -> health.health().getStatus().equals(Status.UP)
						&& health.health().getDetails().get("usableNodes").equals(3));
			LockTemplate template = context.getBean(LockTemplate.class);
			long token = template.execute(LockRequest.of("acl", Duration.ofSeconds(1), Duration.ZERO).withFencing(true),
					(handle) -> {
						assertThat(handle.extend(Duration.ofSeconds(1))).isTrue();
						return handle.fencingToken().orElseThrow();
					});
			assertThat(token).isPositive();
			template.execute(LockRequest.of(List.of("a", "b"), Duration.ofSeconds(1), Duration.ZERO), LockHandle::key);
			template.execute(LockRequest.of("kept", Duration.ofSeconds(1), Duration.ZERO)
				.withHoldAtLeast(Duration.ofMillis(200)), LockHandle::key);
			// a waiting instance listens for releases (SUBSCRIBE), and a release announces itself (PUBLISH)
			LockHandle held = template.tryAcquire("contended", Duration.ofSeconds(1), Duration.ZERO).orElseThrow();
			CompletableFuture<String> waiter = CompletableFuture.supplyAsync(
					() -> template.execute("contended", Duration.ofSeconds(1), Duration.ofSeconds(10), LockHandle::key));
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				for (int i = 0; i < 3; i++) {
					List<?> numsub = (List<?>) redis.get(i).call("PUBSUB", "NUMSUB", "redlock:__redlock_released__");
					if (((Number) numsub.get(1)).longValue() < 1) {
						return false;
					}
				}
				return true;
			});
			held.close();
			assertThat(waiter.get(10, TimeUnit.SECONDS)).endsWith("contended");
			// a node restarted empty gets its fencing counters back (SCAN, MGET) before it is armed
			redis.get(0).restart();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> redis.get(0).call("GET", "redlock:__redlock_armed__") != null);
			assertThat(redis.get(0).call("GET", "redlock:acl:fencing")).isEqualTo(Long.toString(token));
			for (int i = 0; i < 3; i++) {
				Object denied = redis.get(i).call("ACL", "LOG");
				assertThat((List<?>) denied).as("ACL denials on node %d", i).isEmpty();
			}
		});
	}

	@Test
	void userWhoMayNotPublishShouldStillReleaseAndBeToldHowToFixIt(CapturedOutput output) {
		// the least-privilege ACL of earlier versions: no channel, no PUBLISH or SUBSCRIBE
		for (int i = 0; i < 3; i++) {
			redis.get(i).call("ACL", "SETUSER", "quiet", "on", ">quiet-Pa55", "~redlock:*", "resetchannels", "-@all",
					"+set", "+get", "+del", "+exists", "+pexpire", "+eval", "+evalsha", "+ping", "+info",
					"+client|setname");
		}
		this.runner.withPropertyValues("redlock.nodes=" + nodes("quiet", "quiet-Pa55"),
				"redlock.restart-guard.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			LockTemplate template = context.getBean(LockTemplate.class);
			for (int round = 0; round < 2; round++) {
				assertThat(template.execute("quiet-lock", Duration.ofSeconds(30), Duration.ZERO, LockHandle::key))
					.endsWith("quiet-lock");
				// a node left behind by the early quorum decision is released just after
				await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
					for (int i = 0; i < 3; i++) {
						assertThat(redis.get(i).call("EXISTS", "redlock:quiet-lock")).as("released on node %d", i)
							.isEqualTo(0L);
					}
				});
			}
		});
		assertThat(output).contains("may not publish on 'redlock:__redlock_released__'")
			.contains("redlock.release-notifications=false");
	}

	@Test
	void wrongPasswordShouldFailStartupWithoutShowingIt(CapturedOutput output) {
		this.runner.withPropertyValues("redlock.nodes=" + nodes("locker", "not-the-Pa55word")).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(RedlockConfigurationException.class)
				.hasMessageContaining("redlock.nodes[0]")
				.hasMessageContaining("refused the user name or password")
				.hasMessageNotContaining("not-the-Pa55word");
		});
		assertThat(output).doesNotContain("not-the-Pa55word");
	}

}
