package dev.redlock.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link RedlockConfigurationException} into a startup report with a description and an
 * action.
 */
class RedlockConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<RedlockConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RedlockConfigurationException cause) {
		return new FailureAnalysis("Redlock cannot start. " + cause.getProblem(), cause.getAction(), cause);
	}

}
