"""nbgrader integration: course setup and the preprocessors that grade in the kit's sandbox."""
