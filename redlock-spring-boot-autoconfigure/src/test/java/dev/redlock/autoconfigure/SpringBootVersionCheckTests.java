package dev.redlock.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Spring Boot version check that stops a Spring Boot 3 application with a report. (The real
 * Spring Boot 3.5 run is the {@code compat-tests/boot3} module.)
 */
class SpringBootVersionCheckTests {

	@Test
	void springBoot3ShouldBeRefusedNamingTheVersionAndTheFix() {
		RedlockStartupException failure = catchThrowableOfType(RedlockStartupException.class,
				() -> SpringBootVersionCheck.check("3.5.7", false));
		FailureAnalysis analysis = new RedlockConfigurationFailureAnalyzer().analyze(failure);
		assertThat(analysis.getDescription()).isEqualTo("Redlock cannot start. Spring Boot 3.5.7 is on the classpath; "
				+ "the Redlock starter (dev.redlock:redlock-spring-boot-autoconfigure) needs Spring Boot 4.0 or newer");
		assertThat(analysis.getAction()).contains("Upgrade the application to Spring Boot 4.0 or newer");
	}

	@Test
	void unknownVersionShouldBeJudgedByTheClassesPresent() {
		assertThat(catchThrowableOfType(RedlockStartupException.class, () -> SpringBootVersionCheck.check(null, false)))
			.hasMessageStartingWith("A Spring Boot older than 4.0 is on the classpath");
		assertThatNoException().isThrownBy(() -> SpringBootVersionCheck.check(null, true));
		assertThatNoException().isThrownBy(() -> SpringBootVersionCheck.check("unknown", true));
	}

	@Test
	void springBoot4AndLaterShouldPass() {
		assertThatNoException().isThrownBy(() -> SpringBootVersionCheck.check("4.0.0", true));
		assertThatNoException().isThrownBy(() -> SpringBootVersionCheck.check("4.1.2", true));
		assertThatNoException().isThrownBy(() -> SpringBootVersionCheck.check("10.0.0-M1", true));
		assertThat(catchThrowableOfType(RedlockStartupException.class, () -> SpringBootVersionCheck.check("2.7.18", true)))
			.as("the version wins over the classes").hasMessageContaining("Spring Boot 2.7.18");
	}

	@Test
	void theSpringBootOfThisBuildShouldPassAndTheCheckBeRegisteredAsAnInitializer() {
		assertThat(SpringBootVersion.getVersion()).startsWith("4.");
		assertThatNoException().isThrownBy(() -> new SpringBootVersionCheck().initialize(new GenericApplicationContext()));
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(ApplicationContextInitializer.class))
			.hasAtLeastOneElementOfType(SpringBootVersionCheck.class);
	}

}
