"""The mail outbox: messages are stored in the transaction that causes them and sent by a job."""
