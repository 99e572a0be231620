namespace DocFlow.Redis;
