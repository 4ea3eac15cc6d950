//! tuanle-web
