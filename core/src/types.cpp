// types.cpp: implementation pending
