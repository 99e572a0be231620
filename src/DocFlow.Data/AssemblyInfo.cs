namespace DocFlow.Data;
