package dev.redlock.core;

/**
 * The in-memory test node keeps the contract every Redlock member keeps, so that the tests that
 * use it in place of a Redis node assert what a real one would do.
 */
class InMemoryLockNodeContractTests extends LockNodeContract {

	private final InMemoryLockNode member = new InMemoryLockNode("in-memory");

	@Override
	protected LockNode newNode() {
		return this.member;
	}

	@Override
	protected void restartMemberEmpty() {
		this.member.restartEmpty();
	}

}
