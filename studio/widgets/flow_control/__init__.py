"""Flow Control: the Trigger, Split Based On, Set Variables."""
