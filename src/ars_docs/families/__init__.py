"""The document families: letters (and reminders), statutes, CPOM annexes; none imports another."""
