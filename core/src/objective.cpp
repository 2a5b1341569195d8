// objective.cpp: implementation pending
