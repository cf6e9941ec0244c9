"""Models behind one small async interface: embedded llama.cpp, OpenAI-compatible APIs, and the scripted model."""
