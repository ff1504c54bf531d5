"""What every page uses: the database connection, the global filters, the page frame and formats."""
