package dev.redlock.autoconfigure;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redlock.enabled} must work in Spring AOT mode, where the bean definitions are decided
 * when the application is built and conditions are not evaluated again at startup. So the switch
 * must not change which beans are defined: the same definitions, with locking on or off, are what
 * an application processed ahead of time with either setting starts from.
 */
class DisabledLockingAotTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class,
				RedlockHealthAutoConfiguration.class, RedlockEndpointAutoConfiguration.class,
				RedlockMetricsAutoConfiguration.class))
		.withPropertyValues("redlock.nodes=redis://127.0.0.1:1", "redlock.restart-guard.enabled=false");

	@Test
	void switchingLockingOffShouldNotChangeTheBeanDefinitions() {
		List<String> on = definitions(this.runner);
		List<String> off = definitions(this.runner.withPropertyValues("redlock.enabled=false"));
		assertThat(on).contains("redlock", "lockTemplate", "distributedLockAdvisor", "redlockStartupCheck",
				"redlockHealthIndicator");
		assertThat(off).isEqualTo(on);
	}

	private static List<String> definitions(ApplicationContextRunner runner) {
		String[][] names = new String[1][];
		// bean definitions only: the context is prepared and its definitions read before any bean exists
		runner.withInitializer((context) -> context.addBeanFactoryPostProcessor((beanFactory) -> names[0] = beanFactory
			.getBeanDefinitionNames())).run(ConfigurableApplicationContext::isActive);
		return Arrays.stream(names[0]).sorted().toList();
	}

}
