#!/usr/bin/env python3
"""Deterministic sample-data generator for a provincial bloc party committee.

Writes two CSV files (UTF-8, header row, RFC 4180 minimal quoting, "\\n" line
endings) describing "Đảng bộ Khối Các cơ quan tỉnh":

  units.csv    id,parent,kind,name,head,email
  members.csv  id,unit,name,role,email,disciplined

Usage:
  python3 generate.py [--out DIR] [--scale N | --national]

  --out DIR    output directory (default: the directory holding this script)
  --scale N    multiply the number of grassroots organizations by N (integer
               >= 1, for load tests; copies 2..N get ids suffixed "-xK" and
               names suffixed " (bản sao K)")
  --national   the smallest scale whose tree reaches the national counts on
               every level: >= 52,000 grassroots organizations, >= 270,000
               cells and >= 5.6 million members (scale 1100; the members decide
               it, so organizations and cells come out above their counts)

Only the Python 3 standard library is used. The generator is driven by a
single random.Random(2022), so identical arguments give byte-identical files.
After writing, the files are read back and a set of assertions checks the
structural constraints; a one-line summary is printed to stderr.
"""

import argparse
import collections
import csv
import math
import os
import random
import re
import sys
import unicodedata

SEED = 2022
DOMAIN = "example.gov.vn"

ROOT_ID = "duk"
ROOT_NAME = "Đảng bộ Khối Các cơ quan tỉnh"
ROOT_EMAIL_LOCAL = "dangbo.khoicoquan"

KINDS = ("bloc", "grassroots-committee", "grassroots-cell", "sub-committee", "cell")
ROLES = ("secretary", "deputy", "committee", "member")

UNIT_HEADER = ["id", "parent", "kind", "name", "head", "email"]
MEMBER_HEADER = ["id", "unit", "name", "role", "email", "disciplined"]

MIN_CELL, MAX_CELL = 5, 40

# The national counts (2026): about 52,000 grassroots organizations, 270,000 cells and over
# 5.6 million members. One copy of the bloc holds 95 organizations, 324 cells and about 5,140
# members (copies vary), so 1,100 copies reach all three (1,071 gave 5,530,527 members).
NATIONAL = {"grassroots": 52_000, "cells": 270_000, "members": 5_600_000}
NATIONAL_SCALE = 1100
DISCIPLINED_RATE = 0.005

# ---------------------------------------------------------------------------
# Organisation catalogue.
#
# Each entry: (slug, display name used after "Đảng bộ"/"Chi bộ", profile, spec)
#   profile: size profile key (see PROFILES) -> median cell size, female share
#   spec:
#     None                      -> grassroots-cell ("Chi bộ <name>")
#     [dept, ...]               -> grassroots-committee with cells
#     {"cells": [...], "subs": [(sub_slug, sub_name, [dept, ...]), ...]}
#                               -> grassroots-committee with sub-committees
#   dept: "Name" (slug derived automatically) or ("slug", "Name").
# ---------------------------------------------------------------------------

PROFILES = {
    # key: (median members per cell, share of female members)
    "admin": (12, 0.45),
    "small": (13, 0.50),
    "mass": (14, 0.55),
    "finance": (15, 0.55),
    "health": (18, 0.65),
    "edu": (15, 0.60),
    "media": (13, 0.45),
    "justice": (13, 0.40),
    "field": (15, 0.30),
}

VP_TT = ["Văn phòng", "Thanh tra Sở"]
VP_TT1 = [("van-phong-thanh-tra", "Văn phòng - Thanh tra Sở")]

ORGS = [
    # --- Bloc's own office ---------------------------------------------------
    ("co-quan-duk", "Cơ quan Đảng ủy Khối", "small", None),

    # --- Provincial party and people's council/committee offices -------------
    ("vp-tinh-uy", "Văn phòng Tỉnh ủy", "admin", [
        "Phòng Tổng hợp", ("hanh-chinh-luu-tru", "Phòng Hành chính - Lưu trữ"),
        ("quan-tri-tai-vu", "Phòng Quản trị - Tài vụ"), "Nhà khách Tỉnh ủy",
    ]),
    ("ban-to-chuc-tu", "Ban Tổ chức Tỉnh ủy", "small", None),
    ("ban-tuyen-giao-tu", "Ban Tuyên giáo Tỉnh ủy", "small", None),
    ("ubkt-tu", "Ủy ban Kiểm tra Tỉnh ủy", "small", None),
    ("ban-dan-van-tu", "Ban Dân vận Tỉnh ủy", "small", None),
    ("ban-noi-chinh-tu", "Ban Nội chính Tỉnh ủy", "small", None),
    ("bao-ve-suc-khoe-cb", "Ban Bảo vệ, chăm sóc sức khỏe cán bộ tỉnh", "small", None),
    ("vp-doan-dbqh-hdnd", "Văn phòng Đoàn ĐBQH và HĐND tỉnh", "admin", [
        "Phòng Công tác Quốc hội", "Phòng Công tác HĐND",
        ("hc-tc-qt", "Phòng Hành chính - Tổ chức - Quản trị"),
    ]),
    ("vp-ubnd", "Văn phòng UBND tỉnh", "admin", [
        ("hc-tc", "Phòng Hành chính - Tổ chức"), "Phòng Tổng hợp", "Phòng Kinh tế",
        ("khoa-giao-van-xa", "Phòng Khoa giáo - Văn xã"), "Phòng Nội chính",
        ("tt-hanh-chinh-cong", "Trung tâm Phục vụ hành chính công"),
        ("tt-cong-bao-tin-hoc", "Trung tâm Công báo - Tin học"),
    ]),
    ("thanh-tra", "Thanh tra tỉnh", "justice", [
        "Văn phòng", "Phòng Thanh tra 1", "Phòng Thanh tra 2",
        ("tiep-cong-dan", "Phòng Tiếp công dân và Xử lý đơn thư"),
        ("pctn", "Phòng Phòng, chống tham nhũng"),
    ]),

    # --- Departments (Sở) ----------------------------------------------------
    ("so-tai-chinh", "Sở Tài chính", "finance", VP_TT + [
        ("ngan-sach-dau-tu", "Phòng Ngân sách - Tài chính đầu tư"),
        ("gia-cong-san", "Phòng Quản lý giá và Công sản"),
        ("tc-hcsn", "Phòng Tài chính hành chính sự nghiệp"),
        ("tc-doanh-nghiep", "Phòng Tài chính doanh nghiệp - Tin học"),
    ]),
    ("so-ke-hoach-dau-tu", "Sở Kế hoạch và Đầu tư", "admin", VP_TT1 + [
        ("tong-hop-quy-hoach", "Phòng Tổng hợp, quy hoạch"),
        ("dang-ky-kinh-doanh", "Phòng Đăng ký kinh doanh"),
        ("dau-thau-tham-dinh", "Phòng Đấu thầu, thẩm định và giám sát đầu tư"),
        ("doanh-nghiep-ktth", "Phòng Doanh nghiệp, kinh tế tập thể và tư nhân"),
    ]),
    ("so-noi-vu", "Sở Nội vụ", "admin", VP_TT1 + [
        ("to-chuc-bien-che", "Phòng Tổ chức - Biên chế"),
        ("cong-chuc-vien-chuc", "Phòng Công chức - Viên chức"),
        ("xd-chinh-quyen", "Phòng Xây dựng chính quyền và Công tác thanh niên"),
        ("thi-dua-khen-thuong", "Ban Thi đua - Khen thưởng"), "Ban Tôn giáo",
        ("van-thu-luu-tru", "Chi cục Văn thư - Lưu trữ"),
    ]),
    ("so-tu-phap", "Sở Tư pháp", "justice", VP_TT + [
        ("xd-kt-van-ban", "Phòng Xây dựng và Kiểm tra văn bản"),
        ("hanh-chinh-tu-phap", "Phòng Hành chính tư pháp"),
        ("tro-giup-phap-ly", "Trung tâm Trợ giúp pháp lý nhà nước"),
        ("cong-chung-so-1", "Phòng Công chứng số 1"),
    ]),
    ("so-y-te", "Sở Y tế", "health", VP_TT + [
        ("ke-hoach-tai-chinh", "Phòng Kế hoạch - Tài chính"),
        ("nghiep-vu-y-duoc", "Phòng Nghiệp vụ Y - Dược"),
        ("dan-so-khhgd", "Chi cục Dân số - Kế hoạch hóa gia đình"),
        ("attp", "Chi cục An toàn vệ sinh thực phẩm"),
        ("kiem-nghiem", "Trung tâm Kiểm nghiệm thuốc, mỹ phẩm, thực phẩm"),
    ]),
    ("so-gd-dt", "Sở Giáo dục và Đào tạo", "edu", VP_TT + [
        ("gd-trung-hoc", "Phòng Giáo dục Trung học"),
        ("gd-mam-non-tieu-hoc", "Phòng Giáo dục Mầm non - Tiểu học"),
        ("gdtx-chuyen-nghiep", "Phòng Giáo dục thường xuyên - Chuyên nghiệp"),
        ("khao-thi", "Phòng Khảo thí và Kiểm định chất lượng giáo dục"),
    ]),
    ("so-gtvt", "Sở Giao thông vận tải", "field", VP_TT + [
        ("quan-ly-van-tai", "Phòng Quản lý vận tải"),
        ("ket-cau-ha-tang", "Phòng Quản lý kết cấu hạ tầng giao thông"),
        ("phuong-tien-nguoi-lai", "Phòng Quản lý phương tiện và người lái"),
        ("bao-tri-cong-trinh", "Ban Quản lý bảo trì công trình giao thông"),
        ("dang-kiem", "Trung tâm Đăng kiểm xe cơ giới"),
    ]),
    ("so-xay-dung", "Sở Xây dựng", "field", VP_TT1 + [
        ("quan-ly-xay-dung", "Phòng Quản lý xây dựng"),
        ("quy-hoach-kien-truc", "Phòng Quy hoạch - Kiến trúc"),
        ("nha-bat-dong-san", "Phòng Quản lý nhà và Thị trường bất động sản"),
        ("kinh-te-vlxd", "Phòng Kinh tế và Vật liệu xây dựng"),
        ("kiem-dinh-xay-dung", "Trung tâm Kiểm định chất lượng xây dựng"),
    ]),
    ("so-cong-thuong", "Sở Công Thương", "admin", VP_TT1 + [
        ("quan-ly-thuong-mai", "Phòng Quản lý thương mại"),
        ("quan-ly-cong-nghiep", "Phòng Quản lý công nghiệp"),
        ("quan-ly-nang-luong", "Phòng Quản lý năng lượng"),
        ("ky-thuat-an-toan", "Phòng Kỹ thuật an toàn - Môi trường"),
        ("khuyen-cong", "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp"),
    ]),
    ("so-nn-ptnt", "Sở Nông nghiệp và Phát triển nông thôn", "field", {
        "cells": VP_TT + [
            ("trong-trot-bvtv", "Chi cục Trồng trọt và Bảo vệ thực vật"),
            ("chan-nuoi-thu-y", "Chi cục Chăn nuôi và Thú y"),
            ("thuy-loi", "Chi cục Thủy lợi"),
            ("khuyen-nong", "Trung tâm Khuyến nông"),
        ],
        "subs": [
            ("kiem-lam", "Chi cục Kiểm lâm", [
                ("van-phong", "Văn phòng Chi cục"),
                ("bao-ve-rung", "Phòng Quản lý, bảo vệ rừng và bảo tồn thiên nhiên"),
                ("doi-kiem-lam-co-dong", "Đội Kiểm lâm cơ động và Phòng cháy chữa cháy rừng"),
                ("hat-kiem-lam-so-1", "Hạt Kiểm lâm số 1"),
            ]),
        ],
    }),
    ("so-tn-mt", "Sở Tài nguyên và Môi trường", "field", VP_TT + [
        ("quan-ly-dat-dai", "Phòng Quản lý đất đai"),
        ("bao-ve-moi-truong", "Chi cục Bảo vệ môi trường"),
        ("vp-dang-ky-dat-dai", "Văn phòng Đăng ký đất đai"),
        ("phat-trien-quy-dat", "Trung tâm Phát triển quỹ đất"),
        ("quan-trac", "Trung tâm Quan trắc tài nguyên và môi trường"),
    ]),
    ("so-ldtbxh", "Sở Lao động - Thương binh và Xã hội", "admin", VP_TT + [
        ("lao-dong-viec-lam", "Phòng Lao động - Việc làm"),
        ("nguoi-co-cong", "Phòng Người có công"),
        ("dich-vu-viec-lam", "Trung tâm Dịch vụ việc làm"),
        ("tt-bao-tro-xa-hoi", "Trung tâm Bảo trợ xã hội tổng hợp"),
        ("cai-nghien", "Cơ sở Cai nghiện ma túy tỉnh"),
    ]),
    ("so-vh-tt-dl", "Sở Văn hóa, Thể thao và Du lịch", "media", VP_TT + [
        ("quan-ly-van-hoa-tdtt", "Phòng Quản lý văn hóa - Thể dục thể thao"),
        ("quan-ly-du-lich", "Phòng Quản lý du lịch"),
        ("thu-vien", "Thư viện tỉnh"), ("bao-tang", "Bảo tàng tỉnh"),
        ("doan-nghe-thuat", "Đoàn Nghệ thuật tỉnh"),
    ]),
    ("so-kh-cn", "Sở Khoa học và Công nghệ", "admin", VP_TT1 + [
        ("quan-ly-khoa-hoc", "Phòng Quản lý khoa học"),
        ("quan-ly-cong-nghe", "Phòng Quản lý công nghệ và Thị trường công nghệ"),
        ("tc-do-luong-cl", "Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    ]),
    ("so-tt-tt", "Sở Thông tin và Truyền thông", "media", VP_TT1 + [
        ("cntt-buu-chinh", "Phòng Công nghệ thông tin - Bưu chính, Viễn thông"),
        ("thong-tin-bao-chi", "Phòng Thông tin - Báo chí - Xuất bản"),
        ("tt-cntt-tt", "Trung tâm Công nghệ thông tin và Truyền thông"),
    ]),
    ("ban-dan-toc", "Ban Dân tộc tỉnh", "small", None),

    # --- Front and mass organisations ----------------------------------------
    ("mttq", "Cơ quan Ủy ban MTTQ Việt Nam tỉnh", "mass", None),
    ("tinh-doan", "Cơ quan Tỉnh đoàn", "mass", None),
    ("hoi-lhpn", "Cơ quan Hội Liên hiệp Phụ nữ tỉnh", "mass", None),
    ("hoi-nong-dan", "Cơ quan Hội Nông dân tỉnh", "mass", None),
    ("hoi-ccb", "Cơ quan Hội Cựu chiến binh tỉnh", "mass", None),
    ("ldld", "Liên đoàn Lao động tỉnh", "mass", [
        "Văn phòng", ("to-chuc-kiem-tra", "Ban Tổ chức - Kiểm tra"),
        ("tuyen-giao-nu-cong", "Ban Tuyên giáo - Nữ công"),
        ("chinh-sach-phap-luat", "Ban Chính sách - Pháp luật và Quan hệ lao động"),
        ("nha-van-hoa-lao-dong", "Nhà Văn hóa Lao động tỉnh"),
    ]),
    ("lien-minh-htx", "Liên minh Hợp tác xã tỉnh", "mass", None),
    ("hoi-vhnt", "Hội Văn học Nghệ thuật tỉnh", "mass", None),
    ("lien-hiep-hoi-khkt", "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh", "mass", None),
    ("hoi-chu-thap-do", "Hội Chữ thập đỏ tỉnh", "mass", None),
    ("hoi-nha-bao", "Hội Nhà báo tỉnh", "mass", None),
    ("hoi-luat-gia", "Hội Luật gia tỉnh", "mass", None),
    ("lien-hiep-huu-nghi", "Liên hiệp các tổ chức hữu nghị tỉnh", "mass", None),
    ("hoi-khuyen-hoc", "Hội Khuyến học tỉnh", "mass", None),

    # --- Judiciary -----------------------------------------------------------
    ("vks", "Viện Kiểm sát nhân dân tỉnh", "justice", [
        "Văn phòng", ("phong-1", "Phòng Thực hành quyền công tố và kiểm sát điều tra án hình sự"),
        ("phong-2", "Phòng Kiểm sát xét xử hình sự"),
        ("phong-8", "Phòng Kiểm sát thi hành án hình sự"),
        ("phong-9", "Phòng Kiểm sát giải quyết các vụ, việc dân sự"),
        ("thanh-tra-khieu-to", "Phòng Thanh tra - Khiếu tố"),
    ]),
    ("tand", "Tòa án nhân dân tỉnh", "justice", [
        "Văn phòng", "Tòa Hình sự", "Tòa Dân sự", ("toa-hanh-chinh-kinh-te", "Tòa Hành chính - Kinh tế"),
        ("toa-gia-dinh", "Tòa Gia đình và người chưa thành niên"),
        ("giam-doc-kiem-tra", "Phòng Giám đốc, kiểm tra"),
    ]),
    ("cuc-thads", "Cục Thi hành án dân sự tỉnh", "justice", [
        "Văn phòng", ("nghiep-vu", "Phòng Nghiệp vụ và Tổ chức thi hành án"),
        ("kiem-tra-khieu-nai", "Phòng Kiểm tra, giải quyết khiếu nại, tố cáo"),
        ("to-chuc-can-bo", "Phòng Tổ chức cán bộ"),
        ("ke-hoach-tai-chinh", "Phòng Kế hoạch - Tài chính"),
    ]),

    # --- Central agencies' provincial branches --------------------------------
    ("cuc-thue", "Cục Thuế tỉnh", "finance", {
        "cells": [("van-phong", "Văn phòng Cục Thuế")],
        "subs": [
            ("nghiep-vu", "Khối Nghiệp vụ", [
                ("nv-du-toan-phap-che", "Phòng Nghiệp vụ - Dự toán - Pháp chế"),
                ("tuyen-truyen-ho-tro", "Phòng Tuyên truyền - Hỗ trợ người nộp thuế"),
                ("quan-ly-no", "Phòng Quản lý nợ và Cưỡng chế nợ thuế"),
                ("ke-khai-ke-toan", "Phòng Kê khai và Kế toán thuế - Tin học"),
            ]),
            ("thanh-tra-kiem-tra", "Khối Thanh tra - Kiểm tra", [
                ("thanh-tra-kiem-tra-1", "Phòng Thanh tra - Kiểm tra số 1"),
                ("thanh-tra-kiem-tra-2", "Phòng Thanh tra - Kiểm tra số 2"),
                ("kiem-tra-noi-bo", "Phòng Kiểm tra nội bộ"),
            ]),
            ("hanh-chinh", "Khối Hành chính - Quản trị", [
                ("to-chuc-can-bo", "Phòng Tổ chức cán bộ"),
                ("hc-qt-tv-an-chi", "Phòng Hành chính - Quản trị - Tài vụ - Ấn chỉ"),
            ]),
        ],
    }),
    ("kbnn", "Kho bạc Nhà nước tỉnh", "finance", [
        "Văn phòng", ("ke-toan-nha-nuoc", "Phòng Kế toán nhà nước"),
        ("kiem-soat-chi", "Phòng Kiểm soát chi - Thanh tra"),
        ("to-chuc-tin-hoc", "Phòng Tổ chức cán bộ - Tin học"),
    ]),
    ("cuc-thong-ke", "Cục Thống kê tỉnh", "finance", [
        ("to-chuc-hanh-chinh", "Phòng Tổ chức - Hành chính"),
        ("thong-ke-tong-hop", "Phòng Thống kê Tổng hợp"),
        ("thong-ke-kinh-te", "Phòng Thống kê Kinh tế"),
        ("thong-ke-xa-hoi", "Phòng Thống kê Xã hội"),
        ("thu-thap-thong-tin", "Phòng Thu thập thông tin thống kê"),
    ]),
    ("bhxh", "Bảo hiểm xã hội tỉnh", "finance", [
        "Văn phòng", ("quan-ly-thu", "Phòng Quản lý thu"),
        ("che-do-bhxh", "Phòng Chế độ bảo hiểm xã hội"),
        ("giam-dinh-bhyt", "Phòng Giám định bảo hiểm y tế"),
        ("ke-hoach-tai-chinh", "Phòng Kế hoạch - Tài chính"),
        ("thanh-tra-kiem-tra", "Phòng Thanh tra - Kiểm tra"),
        ("cntt", "Phòng Công nghệ thông tin"),
    ]),
    ("nhnn", "Ngân hàng Nhà nước chi nhánh tỉnh", "finance", [
        ("tong-hop-nhan-su", "Phòng Tổng hợp - Nhân sự"),
        ("ke-toan-thanh-toan", "Phòng Kế toán - Thanh toán"),
        ("tien-te-kho-quy", "Phòng Tiền tệ - Kho quỹ - Hành chính"),
        ("thanh-tra-giam-sat", "Thanh tra, giám sát ngân hàng"),
    ]),
    ("nhcsxh", "Ngân hàng Chính sách xã hội chi nhánh tỉnh", "finance", [
        ("ke-hoach-tin-dung", "Phòng Kế hoạch - Nghiệp vụ tín dụng"),
        ("ke-toan-ngan-quy", "Phòng Kế toán - Ngân quỹ"),
        ("hanh-chinh-to-chuc", "Phòng Hành chính - Tổ chức"),
        ("kiem-tra-noi-bo", "Phòng Kiểm tra - Kiểm soát nội bộ"),
        ("giao-dich-hoi-so", "Phòng Giao dịch hội sở tỉnh"),
    ]),
    ("cuc-hai-quan", "Cục Hải quan tỉnh", "field", [
        "Văn phòng", ("nghiep-vu", "Phòng Nghiệp vụ"),
        ("doi-kiem-soat", "Đội Kiểm soát Hải quan"),
        ("cc-cua-khau", "Chi cục Hải quan cửa khẩu"),
        ("cc-kcn", "Chi cục Hải quan các khu công nghiệp"),
        ("cc-sau-thong-quan", "Chi cục Kiểm tra sau thông quan"),
    ]),
    ("cuc-qltt", "Cục Quản lý thị trường tỉnh", "field", [
        "Văn phòng", ("nghiep-vu-tong-hop", "Phòng Nghiệp vụ - Tổng hợp"),
        ("thanh-tra-phap-che", "Phòng Thanh tra - Pháp chế"),
        ("doi-1", "Đội Quản lý thị trường số 1"), ("doi-2", "Đội Quản lý thị trường số 2"),
        ("doi-3", "Đội Quản lý thị trường số 3"),
    ]),
    ("dai-kttv", "Đài Khí tượng Thủy văn tỉnh", "field", None),
    ("chi-cuc-dtnn", "Chi cục Dự trữ Nhà nước tỉnh", "field", None),

    # --- Press and media -----------------------------------------------------
    ("bao-tinh", "Báo tỉnh", "media", [
        ("thu-ky-toa-soan", "Phòng Thư ký tòa soạn"), ("phong-vien", "Phòng Phóng viên"),
        ("bao-dien-tu", "Phòng Báo điện tử"), ("hanh-chinh-tri-su", "Phòng Hành chính - Trị sự"),
        ("chuyen-de", "Phòng Chuyên đề - Cộng tác viên"),
    ]),
    ("dai-ptth", "Đài Phát thanh và Truyền hình tỉnh", "media", [
        ("to-chuc-hanh-chinh", "Phòng Tổ chức - Hành chính"), ("thoi-su", "Phòng Thời sự"),
        ("chuyen-de", "Phòng Chuyên đề"), ("van-nghe-giai-tri", "Phòng Văn nghệ - Giải trí"),
        ("ky-thuat-cong-nghe", "Phòng Kỹ thuật - Công nghệ"),
        ("thong-tin-dien-tu", "Phòng Thông tin điện tử"),
    ]),

    # --- Education and training ----------------------------------------------
    ("truong-chinh-tri", "Trường Chính trị tỉnh", "edu", [
        ("to-chuc-hanh-chinh", "Phòng Tổ chức - Hành chính"),
        ("quan-ly-dao-tao", "Phòng Quản lý đào tạo - Nghiên cứu khoa học"),
        ("khoa-ly-luan", "Khoa Lý luận cơ sở"), ("khoa-xay-dung-dang", "Khoa Xây dựng Đảng"),
        ("khoa-nha-nuoc-phap-luat", "Khoa Nhà nước và Pháp luật"),
        ("khoa-dan-van", "Khoa Dân vận"),
    ]),
    ("dh-kt-kt", "Trường Đại học Kinh tế - Kỹ thuật tỉnh", "edu", {
        "cells": [
            ("ban-giam-hieu", "Ban Giám hiệu"),
        ],
        "subs": [
            ("khoa-kinh-te", "Khoa Kinh tế - Quản trị kinh doanh", [
                ("bm-kinh-te", "Bộ môn Kinh tế"), ("bm-quan-tri", "Bộ môn Quản trị kinh doanh"),
                ("bm-ke-toan", "Bộ môn Kế toán - Tài chính"),
            ]),
            ("khoa-ky-thuat", "Khoa Kỹ thuật - Công nghệ", [
                ("bm-cntt", "Bộ môn Công nghệ thông tin"), ("bm-dien", "Bộ môn Điện - Điện tử"),
                ("bm-co-khi", "Bộ môn Cơ khí"),
            ]),
            ("khoi-phong-ban", "Khối Phòng ban chức năng", [
                ("dao-tao", "Phòng Đào tạo"), ("to-chuc-hanh-chinh", "Phòng Tổ chức - Hành chính"),
                ("ke-hoach-tai-chinh", "Phòng Kế hoạch - Tài chính"),
            ]),
        ],
    }),
    ("cd-y-te", "Trường Cao đẳng Y tế tỉnh", "health", [
        ("dao-tao", "Phòng Đào tạo"), ("to-chuc-hanh-chinh", "Phòng Tổ chức - Hành chính"),
        ("khoa-dieu-duong", "Khoa Điều dưỡng - Hộ sinh"), ("khoa-duoc", "Khoa Dược"),
        ("khoa-co-ban", "Khoa Khoa học cơ bản"),
    ]),
    ("cd-su-pham", "Trường Cao đẳng Sư phạm tỉnh", "edu", [
        ("phong-ban", "Các Phòng chức năng"), ("khoa-tu-nhien", "Khoa Tự nhiên"),
        ("khoa-xa-hoi", "Khoa Xã hội"), ("khoa-tieu-hoc-mam-non", "Khoa Tiểu học - Mầm non"),
        ("khoa-ngoai-ngu", "Khoa Ngoại ngữ - Tin học"),
    ]),
    ("cd-ky-thuat", "Trường Cao đẳng Kỹ thuật Công nghệ tỉnh", "edu", [
        ("phong-ban", "Các Phòng chức năng"), ("khoa-co-khi", "Khoa Cơ khí - Động lực"),
        ("khoa-dien", "Khoa Điện - Điện tử"), ("khoa-cntt", "Khoa Công nghệ thông tin"),
    ]),
    ("cd-vhnt", "Trường Cao đẳng Văn hóa Nghệ thuật tỉnh", "edu", None),
    ("thpt-chuyen", "Trường THPT Chuyên tỉnh", "edu", [
        ("to-toan-tin", "Tổ Toán - Tin"), ("to-ngu-van", "Tổ Ngữ văn"),
        ("to-ngoai-ngu", "Tổ Ngoại ngữ"), ("to-khtn", "Tổ Khoa học tự nhiên"),
        ("to-khxh-van-phong", "Tổ Khoa học xã hội - Văn phòng"),
    ]),
    ("pt-dtnt", "Trường Phổ thông Dân tộc nội trú tỉnh", "edu", None),
    ("tt-gdtx", "Trung tâm Giáo dục thường xuyên tỉnh", "edu", None),

    # --- Health --------------------------------------------------------------
    ("bv-da-khoa", "Bệnh viện Đa khoa tỉnh", "health", {
        "cells": [
            ("khoa-kham-benh", "Khoa Khám bệnh"),
            ("khoa-cap-cuu", "Khoa Cấp cứu"),
        ],
        "subs": [
            ("khoi-noi", "Khối Nội", [
                ("noi-tong-hop", "Khoa Nội tổng hợp"), ("tim-mach", "Khoa Tim mạch"),
                ("hoi-suc", "Khoa Hồi sức tích cực - Chống độc"), ("nhi", "Khoa Nhi"),
                ("truyen-nhiem", "Khoa Truyền nhiễm"),
            ]),
            ("khoi-ngoai", "Khối Ngoại", [
                ("ngoai-tong-hop", "Khoa Ngoại tổng hợp"),
                ("chan-thuong", "Khoa Chấn thương chỉnh hình"),
                ("gay-me", "Khoa Phẫu thuật - Gây mê hồi sức"), ("san", "Khoa Phụ sản"),
                ("tai-mui-hong", "Khoa Tai Mũi Họng"), ("mat", "Khoa Mắt"),
            ]),
            ("khoi-can-lam-sang", "Khối Cận lâm sàng", [
                ("xet-nghiem", "Khoa Xét nghiệm"), ("cdha", "Khoa Chẩn đoán hình ảnh"),
                ("duoc", "Khoa Dược"),
            ]),
            ("khoi-hanh-chinh", "Khối Hành chính", [
                ("ke-hoach-tong-hop", "Phòng Kế hoạch tổng hợp"),
                ("to-chuc-can-bo", "Phòng Tổ chức cán bộ"),
                ("tai-chinh-ke-toan", "Phòng Tài chính kế toán"),
                ("dieu-duong", "Phòng Điều dưỡng"),
                ("hanh-chinh-quan-tri", "Phòng Hành chính quản trị"),
            ]),
        ],
    }),
    ("bv-yhct", "Bệnh viện Y học cổ truyền tỉnh", "health", [
        ("khoa-kham-benh", "Khoa Khám bệnh"), ("khoa-noi", "Khoa Nội"),
        ("cham-cuu", "Khoa Châm cứu - Dưỡng sinh"), ("phcn", "Khoa Phục hồi chức năng"),
        ("khoa-duoc", "Khoa Dược"), ("phong-chuc-nang", "Các Phòng chức năng"),
    ]),
    ("bv-san-nhi", "Bệnh viện Sản - Nhi tỉnh", "health", [
        ("khoa-san", "Khoa Sản"), ("khoa-nhi", "Khoa Nhi"), ("so-sinh", "Khoa Sơ sinh"),
        ("phu-khoa", "Khoa Phụ khoa"), ("can-lam-sang", "Khoa Cận lâm sàng"),
        ("ke-hoach-hanh-chinh", "Phòng Kế hoạch - Hành chính"),
    ]),
    ("bv-lao-phoi", "Bệnh viện Lao và Bệnh phổi tỉnh", "health", None),
    ("bv-tam-than", "Bệnh viện Tâm thần tỉnh", "health", None),
    ("bv-mat", "Bệnh viện Mắt tỉnh", "health", None),
    ("bv-dd-phcn", "Bệnh viện Điều dưỡng và Phục hồi chức năng tỉnh", "health", None),
    ("cdc", "Trung tâm Kiểm soát bệnh tật tỉnh", "health", [
        ("benh-truyen-nhiem", "Khoa Phòng, chống bệnh truyền nhiễm"),
        ("xet-nghiem", "Khoa Xét nghiệm - Chẩn đoán hình ảnh"),
        ("suc-khoe-moi-truong", "Khoa Sức khỏe môi trường - Y tế trường học"),
        ("dinh-duong", "Khoa Dinh dưỡng"), ("ke-hoach-nghiep-vu", "Phòng Kế hoạch - Nghiệp vụ"),
        ("to-chuc-hanh-chinh", "Phòng Tổ chức - Hành chính"),
    ]),
    ("tt-cap-cuu-115", "Trung tâm Cấp cứu 115 tỉnh", "health", None),
    ("tt-huyet-hoc", "Trung tâm Huyết học - Truyền máu tỉnh", "health", None),
    ("tt-truyen-thong-gdsk", "Trung tâm Truyền thông giáo dục sức khỏe tỉnh", "health", None),

    # --- Project boards, funds and public service units ------------------------
    ("bql-kcn", "Ban Quản lý các khu công nghiệp tỉnh", "admin", [
        "Văn phòng", ("quan-ly-doanh-nghiep", "Phòng Quản lý doanh nghiệp"),
        ("quan-ly-dau-tu", "Phòng Quản lý đầu tư"),
        ("quy-hoach-moi-truong", "Phòng Quản lý quy hoạch - Xây dựng - Môi trường"),
        ("dich-vu-kcn", "Trung tâm Dịch vụ khu công nghiệp"),
    ]),
    ("bqlda-dan-dung", "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh",
     "field", None),
    ("bqlda-giao-thong", "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh",
     "field", None),
    ("bqlda-nong-nghiep", "Ban Quản lý dự án đầu tư xây dựng công trình nông nghiệp và phát triển nông thôn tỉnh",
     "field", None),
    ("bql-rung-phong-ho", "Ban Quản lý rừng phòng hộ tỉnh", "field", None),
    ("bql-khu-bao-ton", "Ban Quản lý Khu bảo tồn thiên nhiên tỉnh", "field", None),
    ("bql-di-tich", "Ban Quản lý Di tích và Danh thắng tỉnh", "media", None),
    ("quy-dtpt", "Quỹ Đầu tư phát triển tỉnh", "finance", None),
    ("vp-dieu-phoi-ntm", "Văn phòng Điều phối nông thôn mới tỉnh", "admin", None),
    ("chi-cuc-thuy-san", "Chi cục Thủy sản tỉnh", "field", None),
    ("tt-xuc-tien", "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh", "admin", None),
    ("tt-luu-tru", "Trung tâm Lưu trữ lịch sử tỉnh", "admin", None),
    ("tt-giong", "Trung tâm Giống cây trồng, vật nuôi và thủy sản tỉnh", "field", None),
    ("vien-quy-hoach-xd", "Viện Quy hoạch - Kiến trúc xây dựng tỉnh", "field", None),
    ("tt-dieu-duong-nck", "Trung tâm Điều dưỡng người có công tỉnh", "health", None),
    ("tt-cong-tac-xa-hoi", "Trung tâm Công tác xã hội tỉnh", "mass", None),
    ("tt-ky-thuat-tdc", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng tỉnh", "field", None),
    ("doan-luat-su", "Đoàn Luật sư tỉnh", "justice", None),
    ("tt-ky-thuat-tnmt", "Trung tâm Kỹ thuật tài nguyên và môi trường tỉnh", "field", None),
]

# ---------------------------------------------------------------------------
# Vietnamese names (weights roughly follow published surname frequencies).
# ---------------------------------------------------------------------------

SURNAMES = [
    ("Nguyễn", 31.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 4.5),
    ("Huỳnh", 3.0), ("Phan", 4.0), ("Vũ", 3.5), ("Võ", 3.0), ("Đặng", 2.1),
    ("Bùi", 2.0), ("Đỗ", 1.5), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0),
    ("Lý", 0.5), ("Đinh", 0.8), ("Trịnh", 0.6), ("Mai", 0.5), ("Lương", 0.5),
    ("Đoàn", 0.6), ("Lưu", 0.3), ("Cao", 0.4), ("Tạ", 0.2), ("Hà", 0.4),
    ("Chu", 0.2), ("Lại", 0.2), ("Tô", 0.2), ("Kiều", 0.1), ("Thái", 0.2),
    ("Nông", 0.2), ("Quách", 0.1), ("Triệu", 0.2), ("Phùng", 0.2), ("Văn", 0.1),
    ("Lâm", 0.2), ("Đào", 0.4), ("Trương", 0.6), ("Tăng", 0.1), ("Khổng", 0.05),
]

MIDDLE_M = [
    ("Văn", 30), ("Hữu", 6), ("Đức", 8), ("Minh", 8), ("Quốc", 6), ("Thanh", 6),
    ("Ngọc", 4), ("Công", 5), ("Xuân", 5), ("Đình", 5), ("Quang", 5), ("Anh", 3),
    ("Trọng", 3), ("Tuấn", 2), ("Tiến", 2), ("Mạnh", 2), ("Duy", 3), ("Hoàng", 3),
    ("Thế", 3), ("Bá", 2), ("Trung", 2), ("Việt", 2), ("Khắc", 1), ("Kim", 1),
    ("Hồng", 2), ("Phú", 1), ("Nhật", 1), ("Tấn", 2), ("Thành", 2), ("Gia", 1),
]

MIDDLE_F = [
    ("Thị", 45), ("Thu", 6), ("Thanh", 6), ("Ngọc", 6), ("Minh", 3), ("Hồng", 5),
    ("Kim", 4), ("Phương", 3), ("Thùy", 4), ("Mỹ", 2), ("Hoài", 2), ("Bích", 2),
    ("Diệu", 1), ("Hải", 2), ("Quỳnh", 2), ("Khánh", 2), ("Thúy", 2), ("Bảo", 1),
    ("Cẩm", 1), ("Tuyết", 1), ("Vân", 1), ("Lan", 1),
]
# Second middle name after "Thị" (e.g. "Nguyễn Thị Thu Hà").
MIDDLE_F2 = ["Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh", "Phương", "Bích", "Thúy", "Mai"]

GIVEN_M = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Định", "Đông", "Đức", "Giang", "Hà", "Hải",
    "Hiếu", "Hiển", "Hòa", "Hoàng", "Hùng", "Huy", "Khánh", "Khoa", "Kiên", "Lâm",
    "Long", "Lộc", "Luân", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc", "Phương",
    "Quân", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thanh", "Thành", "Thịnh", "Toàn",
    "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hưng", "Hiệp", "Khải", "Lực", "Tú",
    "Tiến", "Thái", "Phát", "Bảo", "Công", "Duy", "Hậu", "Mạnh", "Nhật", "Quý", "Sang",
    "Thuận", "Trí", "Trọng", "Tường", "Vĩnh", "Chiến", "Thọ", "Hoan", "Khang",
]

GIVEN_F = [
    "Anh", "Bích", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng",
    "Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Liễu", "Linh",
    "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Nhàn", "Oanh",
    "Phương", "Phượng", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thanh", "Thơ", "Thu",
    "Thủy", "Thúy", "Thư", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Xuân",
    "Yến", "Hoài", "Lệ", "Nhi", "Thắm", "Diễm", "Hậu", "Lài", "Hòa", "Hường", "Nguyệt",
]

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

ID_RE = re.compile(r"^[a-z0-9-]+$")
EMAIL_RE = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*@" + re.escape(DOMAIN) + r"$")
MEMBER_ID_RE = re.compile(r"^dv-\d{6,}$")


def ascii_fold(text):
    """Strip Vietnamese diacritics: 'Đảng bộ Sở' -> 'Dang bo So'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def slugify(text, max_tokens=6):
    tokens = re.findall(r"[a-z0-9]+", ascii_fold(text).lower())
    tokens = [t for t in tokens if t != "va"] or tokens
    return "-".join(tokens[:max_tokens])


def compact(slug, limit=16):
    """Email fragment for a slug: dashes dropped, initials if too long."""
    parts = slug.split("-")
    joined = "".join(parts)
    if len(joined) <= limit:
        return joined
    return "".join(p if p.isdigit() else p[0] for p in parts)


def dept(entry):
    if isinstance(entry, tuple):
        return entry
    return slugify(entry), entry


class Weighted:
    def __init__(self, pairs):
        self.items = [p[0] for p in pairs]
        total = 0.0
        self.cum = []
        for _, w in pairs:
            total += w
            self.cum.append(total)

    def pick(self, rng):
        return rng.choices(self.items, cum_weights=self.cum, k=1)[0]


SURNAME_W = Weighted(SURNAMES)
MIDDLE_M_W = Weighted(MIDDLE_M)
MIDDLE_F_W = Weighted(MIDDLE_F)
# Common given names are drawn three times as often as the rest.
COMMON_M = {"Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Sơn", "Long", "Minh", "Cường", "Thắng",
            "Hưng", "Quân", "Đức", "Trung", "Thành", "Hoàng", "Bình", "Phong", "Việt", "Tùng"}
COMMON_F = {"Hương", "Lan", "Linh", "Trang", "Hà", "Hằng", "Hoa", "Mai", "Ngọc", "Nga",
            "Phương", "Thảo", "Thủy", "Huyền", "Hạnh", "Yến", "Vân", "Dung", "Anh", "Nhung"}
GIVEN_M_W = Weighted([(n, 3 if n in COMMON_M else 1) for n in GIVEN_M])
GIVEN_F_W = Weighted([(n, 3 if n in COMMON_F else 1) for n in GIVEN_F])


def person_name(rng, female_share):
    surname = SURNAME_W.pick(rng)
    if rng.random() < female_share:
        middle = MIDDLE_F_W.pick(rng)
        if middle == "Thị" and rng.random() < 0.12:
            middle = "Thị " + rng.choice(MIDDLE_F2)
        given = GIVEN_F_W.pick(rng)
        while given == middle.split()[-1]:
            given = GIVEN_F_W.pick(rng)
        return surname, middle, given
    middle = MIDDLE_M_W.pick(rng)
    given = GIVEN_M_W.pick(rng)
    while given == middle:
        given = GIVEN_M_W.pick(rng)
    return surname, middle, given


def cell_size(rng, median):
    size = round(rng.lognormvariate(math.log(median), 0.42))
    return max(MIN_CELL, min(MAX_CELL, size))


def roles_for(size, rng):
    """Chi ủy composition: 1 secretary, usually 1 deputy, committee for larger cells."""
    if size >= 9:
        deputies = 1
        committee = 1 if size < 20 else (2 if size < 30 else 3)
    else:
        deputies = 1 if rng.random() < 0.6 else 0
        committee = 0
    return ["secretary"] + ["deputy"] * deputies + ["committee"] * committee + \
        ["member"] * (size - 1 - deputies - committee)


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------

class Unit:
    __slots__ = ("id", "parent", "kind", "name", "head", "email", "org_key", "profile")

    def __init__(self, uid, parent, kind, name, email, org_key, profile):
        self.id, self.parent, self.kind, self.name = uid, parent, kind, name
        self.head, self.email, self.org_key, self.profile = "", email, org_key, profile


def build_units(scale):
    units = []
    emails = set()

    def unit_email(prefix, *parts):
        local = ".".join([prefix] + [p for p in parts if p])
        base, n = local, 1
        while local in emails:
            n += 1
            local = f"{base}{n}"
        emails.add(local)
        return f"{local}@{DOMAIN}"

    units.append(Unit(ROOT_ID, "", "bloc", ROOT_NAME, unit_email(ROOT_EMAIL_LOCAL), "", "admin"))
    for copy in range(1, scale + 1):
        id_sfx = "" if copy == 1 else f"-x{copy}"
        name_sfx = "" if copy == 1 else f" (bản sao {copy})"
        for slug, name, profile, spec in ORGS:
            oid = slug + id_sfx
            okey = compact(slug) + ("" if copy == 1 else f"x{copy}")
            if spec is None:
                units.append(Unit(oid, ROOT_ID, "grassroots-cell", f"Chi bộ {name}{name_sfx}",
                                  unit_email("chibo", okey), okey, profile))
                continue
            units.append(Unit(oid, ROOT_ID, "grassroots-committee", f"Đảng bộ {name}{name_sfx}",
                              unit_email("dangbo", okey), okey, profile))
            if isinstance(spec, dict):
                cells, subs = spec.get("cells", []), spec.get("subs", [])
            else:
                cells, subs = spec, []
            for entry in cells:
                cslug, cname = dept(entry)
                units.append(Unit(f"{oid}-cb-{cslug}", oid, "cell", f"Chi bộ {cname}",
                                  unit_email("chibo", okey, compact(cslug)), okey, profile))
            for sslug, sname, scells in subs:
                sid = f"{oid}-dbbp-{sslug}"
                units.append(Unit(sid, oid, "sub-committee", f"Đảng bộ bộ phận {sname}",
                                  unit_email("dangbo", okey, compact(sslug)), okey, profile))
                for entry in scells:
                    cslug, cname = dept(entry)
                    units.append(Unit(f"{sid}-cb-{cslug}", sid, "cell", f"Chi bộ {cname}",
                                      unit_email("chibo", okey, compact(sslug), compact(cslug)),
                                      okey, profile))
    return units


def build_members(rng, units):
    members = []  # dicts in file order
    by_unit = collections.OrderedDict()
    emails = set()
    leaf_units = [u for u in units if u.kind in ("cell", "grassroots-cell")]
    width = 6
    # Upper bound for id width (MAX_CELL per leaf) keeps ids fixed-width per run.
    while len(leaf_units) * MAX_CELL >= 10 ** width:
        width += 1
    seq = 0
    for u in leaf_units:
        median, female = PROFILES[u.profile]
        size = cell_size(rng, median)
        roles = roles_for(size, rng)
        rows = []
        for role in roles:
            seq += 1
            surname, middle, given = person_name(rng, female)
            full = f"{surname} {middle} {given}"
            initials = "".join(ascii_fold(w)[0].lower() for w in (surname + " " + middle).split())
            local_base = f"{ascii_fold(given).lower()}{initials}"
            local, n = f"{local_base}.{u.org_key}", 1
            while local in emails:
                n += 1
                local = f"{local_base}{n}.{u.org_key}"
            emails.add(local)
            row = {"id": f"dv-{seq:0{width}d}", "unit": u.id, "name": full, "role": role,
                   "email": f"{local}@{DOMAIN}", "disciplined": False}
            rows.append(row)
            members.append(row)
        by_unit[u.id] = rows
    return members, by_unit


def assign_heads(rng, units, by_unit):
    children = collections.defaultdict(list)
    for u in units:
        if u.parent:
            children[u.parent].append(u)

    def leaves(uid):
        out = []
        for c in children[uid]:
            if c.kind in ("cell", "grassroots-cell"):
                out.append(c)
            else:
                out.extend(leaves(c.id))
        return out

    for u in units:
        if u.kind in ("cell", "grassroots-cell"):
            u.head = next(m["id"] for m in by_unit[u.id] if m["role"] == "secretary")
    for u in units:
        if u.kind == "bloc":
            # The bloc secretary works in the bloc's own office cell.
            office = next(c for c in children[u.id] if c.id == "co-quan-duk")
            u.head = rng.choice([m for m in by_unit[office.id] if m["role"] == "member"])["id"]
        elif u.kind == "grassroots-committee":
            # Typically the agency director, sitting in one of the first cells.
            direct = [c for c in children[u.id] if c.kind == "cell"] or leaves(u.id)
            cell = direct[0] if rng.random() < 0.7 else rng.choice(direct)
            u.head = rng.choice(by_unit[cell.id])["id"]
        elif u.kind == "sub-committee":
            cells = leaves(u.id)
            u.head = rng.choice([by_unit[c.id][0]["id"] for c in cells])
    # A few committees / sub-committees currently without a secretary (vacancy).
    candidates = [u for u in units if u.kind in ("grassroots-committee", "sub-committee")]
    vacant = max(2, round(len(candidates) * 0.04))
    for u in rng.sample(candidates, vacant):
        u.head = ""


def mark_disciplined(rng, members, units):
    heads = {u.head for u in units if u.head}
    eligible = [m for m in members if m["id"] not in heads]
    count = max(1, round(len(members) * DISCIPLINED_RATE))
    for m in rng.sample(eligible, count):
        m["disciplined"] = True


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(rows)


# ---------------------------------------------------------------------------
# Verification (reads the written files back)
# ---------------------------------------------------------------------------

def check(units_path, members_path, scale):
    def read(path, header):
        with open(path, "rb") as f:
            raw = f.read()
        assert b"\r" not in raw, f"{path}: CR found"
        assert raw.endswith(b"\n"), f"{path}: missing final newline"
        text = raw.decode("utf-8")
        assert text == unicodedata.normalize("NFC", text), f"{path}: not NFC"
        rows = list(csv.reader(text.splitlines(keepends=True)))
        assert rows[0] == header, f"{path}: bad header {rows[0]}"
        for r in rows[1:]:
            assert len(r) == len(header), f"{path}: bad row {r}"
        return [dict(zip(header, r)) for r in rows[1:]]

    units = read(units_path, UNIT_HEADER)
    members = read(members_path, MEMBER_HEADER)

    unit_by_id = {}
    for i, u in enumerate(units):
        assert ID_RE.match(u["id"]), u["id"]
        assert u["id"] not in unit_by_id, f"duplicate unit id {u['id']}"
        assert u["kind"] in KINDS, u
        assert u["name"].strip() == u["name"] and u["name"], u
        assert EMAIL_RE.match(u["email"]), u["email"]
        if u["parent"]:
            assert u["parent"] in unit_by_id, f"parent of {u['id']} missing or after it"
        unit_by_id[u["id"]] = u
    roots = [u for u in units if not u["parent"]]
    assert len(roots) == 1 and roots[0]["id"] == ROOT_ID and roots[0]["kind"] == "bloc", roots
    assert units[0]["id"] == ROOT_ID
    assert len({u["email"] for u in units}) == len(units), "duplicate unit email"

    allowed_parent = {
        "grassroots-committee": {"bloc"},
        "grassroots-cell": {"bloc"},
        "sub-committee": {"grassroots-committee"},
        "cell": {"grassroots-committee", "sub-committee"},
    }
    children = collections.defaultdict(list)
    for u in units[1:]:
        assert unit_by_id[u["parent"]]["kind"] in allowed_parent[u["kind"]], u
        children[u["parent"]].append(u["id"])

    member_by_id = {}
    members_of = collections.defaultdict(list)
    for i, m in enumerate(members, 1):
        assert MEMBER_ID_RE.match(m["id"]) and int(m["id"][3:]) == i, m["id"]
        assert m["unit"] in unit_by_id, m
        assert unit_by_id[m["unit"]]["kind"] in ("cell", "grassroots-cell"), m
        assert m["role"] in ROLES, m
        assert m["disciplined"] in ("true", "false"), m
        assert EMAIL_RE.match(m["email"]), m["email"]
        assert len(m["name"].split()) >= 3, m["name"]
        member_by_id[m["id"]] = m
        members_of[m["unit"]].append(m)
    assert len({m["email"] for m in members}) == len(members), "duplicate member email"
    for row in units + members:
        assert len(row["email"].split("@")[0]) <= 64, row["email"]

    def subtree_leaves(uid):
        u = unit_by_id[uid]
        if u["kind"] in ("cell", "grassroots-cell"):
            return {uid}
        out = set()
        for c in children[uid]:
            out |= subtree_leaves(c)
        return out

    empty_heads = 0
    for u in units:
        leaves = subtree_leaves(u["id"])
        assert leaves, f"{u['id']} has no cells"
        if u["kind"] in ("cell", "grassroots-cell"):
            ms = members_of[u["id"]]
            assert MIN_CELL <= len(ms) <= MAX_CELL, (u["id"], len(ms))
            secs = [m for m in ms if m["role"] == "secretary"]
            assert len(secs) == 1, u["id"]
            assert sum(m["role"] == "deputy" for m in ms) <= 1, u["id"]
            assert u["head"] == secs[0]["id"], u["id"]
        if not u["head"]:
            empty_heads += 1
            assert u["kind"] in ("grassroots-committee", "sub-committee"), u
            continue
        assert u["head"] in member_by_id, u
        assert member_by_id[u["head"]]["unit"] in leaves, f"head of {u['id']} outside subtree"
        assert member_by_id[u["head"]]["disciplined"] == "false", u

    kinds = collections.Counter(u["kind"] for u in units)
    grassroots = kinds["grassroots-committee"] + kinds["grassroots-cell"]
    leaves_total = kinds["cell"] + kinds["grassroots-cell"]
    disciplined = sum(m["disciplined"] == "true" for m in members)
    assert kinds["bloc"] == 1
    assert grassroots >= 60 * scale, grassroots
    assert leaves_total >= 250 * scale, leaves_total
    assert len(members) >= 4000 * scale, len(members)
    assert kinds["sub-committee"] >= 1
    assert 0.003 <= disciplined / len(members) <= 0.007, disciplined
    assert empty_heads <= max(3, len(units) // 50), empty_heads
    return kinds, len(members), disciplined


# ---------------------------------------------------------------------------

def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=here, help="output directory (default: %(default)s)")
    ap.add_argument("--scale", type=int, default=1,
                    help="multiply the number of grassroots organizations (default: 1)")
    ap.add_argument("--national", action="store_true",
                    help=f"scale {NATIONAL_SCALE}: at least the national counts on every level")
    args = ap.parse_args(argv)
    if args.national:
        args.scale = NATIONAL_SCALE
    if args.scale < 1:
        ap.error("--scale must be >= 1")

    rng = random.Random(SEED)
    units = build_units(args.scale)
    members, by_unit = build_members(rng, units)
    assign_heads(rng, units, by_unit)
    mark_disciplined(rng, members, units)

    os.makedirs(args.out, exist_ok=True)
    units_path = os.path.join(args.out, "units.csv")
    members_path = os.path.join(args.out, "members.csv")
    write_csv(units_path, UNIT_HEADER,
              [[u.id, u.parent, u.kind, u.name, u.head, u.email] for u in units])
    write_csv(members_path, MEMBER_HEADER,
              [[m["id"], m["unit"], m["name"], m["role"], m["email"],
                "true" if m["disciplined"] else "false"] for m in members])

    kinds, n_members, n_disc = check(units_path, members_path, args.scale)
    if args.national:
        grassroots = kinds["grassroots-committee"] + kinds["grassroots-cell"]
        cells = kinds["cell"] + kinds["grassroots-cell"]
        assert grassroots >= NATIONAL["grassroots"], grassroots
        assert cells >= NATIONAL["cells"], cells
        assert n_members >= NATIONAL["members"], n_members
    summary = ", ".join(f"{k}={kinds[k]}" for k in KINDS)
    print(f"units: {sum(kinds.values())} ({summary}); members: {n_members} "
          f"(disciplined={n_disc}) -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
