// trainer.cpp: implementation pending
