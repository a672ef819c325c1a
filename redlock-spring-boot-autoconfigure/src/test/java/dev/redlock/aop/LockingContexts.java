package dev.redlock.aop;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.test.RedisServersExtension;

/**
 * Application contexts for tests of annotated beans: AOP and Redlock auto-configuration on the
 * fixture's nodes, with the restart guard off (the nodes were just started and hold no lock) and
 * one attempt per acquisition unless a test says otherwise.
 */
final class LockingContexts {

	private LockingContexts() {
	}

	static ApplicationContextRunner on(RedisServersExtension redis, Class<?> beans) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
			.withUserConfiguration(beans)
			.withPropertyValues("redlock.restart-guard.enabled=false", "redlock.wait-time=0s",
					"redlock.nodes=" + String.join(",", redis.uris()));
	}

}
