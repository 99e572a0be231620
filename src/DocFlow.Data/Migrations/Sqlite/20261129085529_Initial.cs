using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocFlow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "batches",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    total = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batches", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    batch_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                    file_name = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    blob_key = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    options_key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    mime_type = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    route = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    priority = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    pages = table.Column<int>(type: "INTEGER", nullable: true),
                    ocr_pages = table.Column<string>(type: "TEXT", nullable: true),
                    engine_path = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    document_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    error_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    duration_ms = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.id);
                    table.ForeignKey(
                        name: "FK_jobs_batches_batch_id",
                        column: x => x.batch_id,
                        principalTable: "batches",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "job_results",
                columns: table => new
                {
                    job_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    document = table.Column<string>(type: "TEXT", nullable: false),
                    saved_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_results", x => x.job_id);
                    table.ForeignKey(
                        name: "FK_job_results_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "job_status_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    job_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_status_changes", x => x.id);
                    table.ForeignKey(
                        name: "FK_job_status_changes_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_batches_created_at",
                table: "batches",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "IX_job_status_changes_job_id_id",
                table: "job_status_changes",
                columns: new[] { "job_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_batch_id_ordinal",
                table: "jobs",
                columns: new[] { "batch_id", "ordinal" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_jobs_batch_id_status",
                table: "jobs",
                columns: new[] { "batch_id", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_created_at_id",
                table: "jobs",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_sha256_options_key",
                table: "jobs",
                columns: new[] { "sha256", "options_key" },
                filter: "status = 'succeeded'");

            migrationBuilder.CreateIndex(
                name: "IX_jobs_status_created_at_id",
                table: "jobs",
                columns: new[] { "status", "created_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_results");

            migrationBuilder.DropTable(
                name: "job_status_changes");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "batches");
        }
    }
}
