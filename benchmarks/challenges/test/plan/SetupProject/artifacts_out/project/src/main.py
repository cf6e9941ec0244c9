print("Hello from project")
