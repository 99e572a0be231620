using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocFlow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SplitJobParts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_splits",
                columns: table => new
                {
                    job_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    parts = table.Column<int>(type: "INTEGER", nullable: false),
                    finisher_part = table.Column<int>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_splits", x => x.job_id);
                    table.ForeignKey(
                        name: "FK_job_splits_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "job_parts",
                columns: table => new
                {
                    job_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    part_index = table.Column<int>(type: "INTEGER", nullable: false),
                    first_page = table.Column<int>(type: "INTEGER", nullable: false),
                    last_page = table.Column<int>(type: "INTEGER", nullable: false),
                    mime_type = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    layouts = table.Column<string>(type: "TEXT", nullable: true),
                    rasterized_pages = table.Column<string>(type: "TEXT", nullable: true),
                    processed_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    done_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_parts", x => new { x.job_id, x.part_index });
                    table.ForeignKey(
                        name: "FK_job_parts_job_splits_job_id",
                        column: x => x.job_id,
                        principalTable: "job_splits",
                        principalColumn: "job_id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_parts");

            migrationBuilder.DropTable(
                name: "job_splits");
        }
    }
}
