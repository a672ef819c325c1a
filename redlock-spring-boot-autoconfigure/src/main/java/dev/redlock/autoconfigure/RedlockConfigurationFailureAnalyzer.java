package dev.redlock.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link RedlockStartupException} (a bad property, a missing library, an invalid
 * annotation) into a startup report with a description and an action. Loads on Spring Boot 3 as
 * well, so that {@link SpringBootVersionCheck}'s report is shown there.
 */
class RedlockConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<RedlockStartupException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RedlockStartupException cause) {
		return new FailureAnalysis("Redlock cannot start. " + cause.getDescription(), cause.getAction(), cause);
	}

}
