namespace DocFlow.Reports;
